package dev.jinit.supervise;

import dev.jinit.exec.ProcessSpec;
import java.util.Map;

/**
 * Builds the processes of one service: the command of {@code role} number {@code index} with its
 * environment ($VAR expansion done) and every spawn directive applied. The manager adds the process
 * group or cgroup and the log pipes.
 */
@FunctionalInterface
public interface SpawnPlan {
    /**
     * @param extraEnv jinit's variables for this process ($MAINPID, $NOTIFY_SOCKET, $INVOCATION_ID, …)
     * @throws IllegalArgumentException naming the directive, file:line or value that is wrong
     */
    ProcessSpec spec(ServiceConfig.Role role, int index, Map<String, String> extraEnv);
}
