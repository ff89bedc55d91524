package dev.jinit.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Boots the jinit image under qemu (TCG here: no /dev/kvm) and drives it through the serial console.
 * Two boots share one image and one ext4 disk: the first writes a file and powers off with SIGUSR2 to
 * PID 1, the second checks the file and powers off with {@code jinit poweroff}; after each, the host
 * checks the filesystem with {@code e2fsck -n -f} and reads the file with {@code debugfs}. The first boot
 * has {@code ip=dhcp}: jinit's DHCP client takes qemu's user-network lease, and a unit ordered after
 * network-online.target serves a page the host fetches through {@code hostfwd}.
 *
 * <p>Deadlines are generous because a TCG guest on a loaded 2-core machine is slow; they bound
 * waits, they do not measure anything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VmBootTest {
    static final Duration BOOT = Duration.ofMinutes(5);
    static final Duration STEP = Duration.ofMinutes(2);
    /** seq 1 200000, what data-test writes: the host knows every byte the file must hold. */
    static final String PAYLOAD = IntStream.rangeClosed(1, 200000).mapToObj(Integer::toString)
            .collect(Collectors.joining("\n", "", "\n"));

    static Path disk;

    @BeforeAll
    static void imageAndDisk() throws Exception {
        VmFixture.image();
        disk = VmFixture.ext4Disk("data.ext4", 64L << 20);
    }

    static SerialConsole boot(String name, String append) throws Exception {
        return boot(name, append, List.of());
    }

    static SerialConsole boot(String name, String append, List<Vm.Forward> forwards) throws Exception {
        VmFixture.Kernel k = VmFixture.kernel();
        Vm vm = new Vm(k.vmlinuz(), VmFixture.image(), List.of(disk), forwards, "512M", append, Vm.kvmUsable());
        return new SerialConsole(vm, VmFixture.WORK.resolve(name + ".console.log"));
    }

    /** A TCP port free on the host now, for qemu's hostfwd. */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** GET / from the host through the forward, retried until it answers or the deadline passes. */
    static String fetch(int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(20)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) return response.body();
                last = new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
            } catch (java.io.IOException e) {
                last = e; // qemu accepts and closes while nothing listens in the guest yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no answer through hostfwd 127.0.0.1:" + port + " within " + timeout, last);
    }

    @Test
    @Order(1)
    void firstBootShowsTheStepsRunsTheUnitsAndKeepsWhatWasWrittenAcrossSigusr2Poweroff() throws Exception {
        int port = freePort();
        // ip=dhcp: jinit's own DHCP client gets qemu's user-network lease (10.0.2.15 from 10.0.2.2).
        try (SerialConsole c = boot("first", "jinit.shell=ttyS0 jinittest.write=one ip=dhcp", List.of(new Vm.Forward(port, 8080)))) {
            c.await("jinit boot: PID 1, the machine's init", BOOT);
            for (String mount : List.of("proc on /proc", "sysfs on /sys", "devtmpfs on /dev", "cgroup2 on /sys/fs/cgroup"))
                c.await("mounted " + mount, STEP);
            // modules named in the image's modules-load.d: dependencies first, ext4 named though built in
            int ring = c.await("modules: loaded virtio_ring \\(for virtio_net\\)", STEP).end();
            c.await("modules: loaded failover \\(for virtio_net\\)", ring, STEP);
            c.await("modules: loaded virtio_net$", ring, STEP);
            c.await("modules: loaded virtio_blk", STEP);
            c.await("modules: ext4 is built into the kernel", STEP);

            // each unit started, and its first output line echoed on the console
            for (String unit : List.of("hello", "stubborn", "data")) c.await("Started .*\\(" + unit + "\\.service\\)", STEP);
            c.await("hello.*hello-from-unit", STEP);
            c.await("stubborn.*stubborn-ready", STEP);
            c.await("data.*data: mounted /dev/vda", STEP);
            c.await("data.*data: wrote /mnt/data/payload-one", STEP);

            // the network: the lease applied by jinit, then the unit ordered after network-online.target,
            // reached from the host through qemu's hostfwd (which forwards to 10.0.2.15 only)
            c.await("network: eth0: lease 10\\.0\\.2\\.15/24 from 10\\.0\\.2\\.2, gateway 10\\.0\\.2\\.2", STEP);
            c.await("Reached target Network is Online", STEP);
            c.await("web.*web-ready", STEP);
            String page = fetch(port, STEP);
            assertTrue(page.startsWith("web-page\n"), page);
            assertTrue(page.matches("(?s).*inet 10\\.0\\.2\\.15/24 brd 10\\.0\\.2\\.255 .*"), "the unit saw the lease: " + page);
            assertTrue(page.contains("default via 10.0.2.2 dev eth0"), page);
            assertTrue(page.contains("nameserver 10.0.2.3"), "resolv.conf from the lease: " + page);

            // jinit logs through the console shell (sed marks its lines apart from the console echo)
            c.await("built-in shell \\(ash\\)", STEP); // the shell itself is up and reads the console
            int typed = c.length();
            c.type("jinit logs hello.service | sed 's/^/LOGS> /'");
            c.await("^LOGS> .*hello-from-unit", typed, STEP);
            // the lease as jinit network and jinit status show it (boot mode: state in /run/jinit)
            typed = c.length();
            c.type("jinit network | sed 's/^/NET> /'");
            c.await("^NET> eth0: configured, carrier, DHCP BOUND 10\\.0\\.2\\.15/24 via 10\\.0\\.2\\.2 from 10\\.0\\.2\\.2, dns 10\\.0\\.2\\.3, renew in [0-9]+ s", typed, STEP);
            typed = c.length();
            c.type("jinit status | sed 's/^/STATUS> /'");
            c.await("^STATUS> network: online; eth0 10\\.0\\.2\\.15/24 from 10\\.0\\.2\\.2, lease left [0-9]+ s", typed, STEP);
            // PID 1's JVM maps the runtime's CDS archive (a mismatch would make it silently load every class)
            typed = c.length();
            c.type("grep -q /jre/lib/server/classes.jsa /proc/1/maps && echo CDS-MAPPED");
            c.await("^CDS-MAPPED", typed, STEP);

            int requested = c.length();
            c.type("kill -USR2 1");
            c.await("poweroff requested", requested, STEP);
            // the unit that ignores SIGTERM got it, and still the guest goes down: its 3 s stop timeout ends in SIGKILL
            c.await("stubborn-ignores-TERM", requested, STEP);
            c.await("stubborn.service: Failed with result 'timeout'", requested, STEP);
            assertEquals(0, c.awaitExit(STEP), "qemu's exit status after the guest powered off");
            assertTrue(c.text().contains("reboot: Power down"), "the kernel powered off rather than panicked");
        }
        assertClean();
        assertEquals(PAYLOAD, read("payload-one"), "the file written before poweroff, read on the host");
    }

    @Test
    @Order(2)
    void secondBootSeesTheFileAndJinitPoweroffKeepsTheNextOne() throws Exception {
        try (SerialConsole c = boot("second", "jinit.shell=ttyS0 jinittest.write=two")) {
            c.await("data: /mnt/data/payload-one intact", BOOT);
            c.await("data: wrote /mnt/data/payload-two", STEP);
            c.await("built-in shell \\(ash\\)", STEP); // the shell itself is up and reads the console
            int typed = c.length();
            c.type("jinit poweroff");
            c.await("poweroff", typed, STEP);
            assertEquals(0, c.awaitExit(STEP), "qemu's exit status after jinit poweroff");
            assertTrue(c.text().contains("reboot: Power down"), "the kernel powered off rather than panicked");
        }
        assertClean();
        assertEquals(PAYLOAD, read("payload-one"));
        assertEquals(PAYLOAD, read("payload-two"), "the file written in the second boot, read on the host");
    }

    /** e2fsck -n -f: read-only full check; exit 0 means the filesystem is clean. */
    static void assertClean() throws Exception {
        VmFixture.run(List.of("e2fsck", "-n", "-f", disk.toString()));
    }

    /** A file of the ext4 image, read with debugfs: no mount needed on the host. */
    static String read(String name) throws Exception {
        Process p = new ProcessBuilder("debugfs", "-R", "cat /" + name, disk.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "debugfs cat /" + name);
        return out;
    }
}
