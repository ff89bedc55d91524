package dev.jinit.boot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OtherProcessesTest {
    @Test
    void zombiesAndKernelThreadsAreNotProcessesToKill() {
        assertTrue(OtherProcesses.isLiveUserProcess("42 (sleep) S 1 42 42 0 -1 4194560 96 0 0 0 0 0 0 0 20 0 1 0"));
        assertTrue(OtherProcesses.isLiveUserProcess("43 (a) b) c) R 1 43 43 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0"));
        assertFalse(OtherProcesses.isLiveUserProcess("44 (defunct) Z 1 44 44 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 0"));
        assertFalse(OtherProcesses.isLiveUserProcess("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0"));
    }
}
