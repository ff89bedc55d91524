package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Namespaces;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Debian's own daemons, started by {@code jinit run} from the unit files their packages install in
 * /lib/systemd/system (copied unchanged; .ci/run installs cron, memcached, redis-server,
 * openssh-server and dnsmasq without starting them). Each test skips, naming the package, when its
 * daemon is not installed.
 *
 * <p>For each daemon: it becomes active (running) and really serves (a request answered, from
 * inside its network namespace); {@code jinit reload} runs its ExecReload= (or is refused without
 * one); after a SIGKILL, its Restart= brings it back (or it fails and starts on request); {@code
 * jinit stop} ends it cleanly (inactive, no process left), {@code jinit start} brings it back, and
 * SIGTERM to jinit exits 0 leaving no process of it anywhere.
 *
 * <p>The unit files run as Debian ships them: a drop-in ({@code NAME.service.d/override.conf}) only
 * configures what the package leaves to the administrator (the daemon's options), each line with its
 * reason, never a directive that changes what the unit means (no sandboxing added, no limit
 * lowered: where a unit did not run, jinit was fixed, e.g. setrlimit_closest for redis). The test
 * itself is isolated instead: jinit runs in a network namespace of its own with only lo (as under
 * {@code unshare --net}), so no port of the machine is taken (two runs never clash, nor with a real
 * daemon on the host) and no packet can leave. The test talks to a daemon from a thread that joins
 * that namespace (network namespaces are per thread).
 */
class DebianDaemonsTest {
    static final Path SYSTEM_UNITS = Path.of("/lib/systemd/system");
    /** sshd's own default port: free in jinit's network namespace. */
    static final int SSH_PORT = 22;
    static final Path LOCK = Path.of("/run/jinit-debian-daemons-test.lock");

    @Test
    void cron() throws Exception {
        Daemon d = new Daemon("cron", "cron.service", "/usr/sbin/cron", "");
        d.run(pid -> {
            // cron writes its pid file once it has set itself up (it refuses to run twice through it).
            Path pidFile = Path.of("/run/crond.pid");
            String written = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
            assertEquals(Integer.toString(pid), written, "cron's pid file " + pidFile);
            assertEquals("/usr/sbin/cron", Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe")).toString());
        });
    }

    @Test
    void memcached() throws Exception {
        // The unit runs Debian's wrapper, which reads /etc/memcached.conf (-l 127.0.0.1 -p 11211) and
        // execs memcached: the main pid is memcached's own.
        Daemon d = new Daemon("memcached", "memcached.service", "/usr/bin/memcached", "");
        d.run(pid -> inNetworkOf(pid, () -> {
            String version = tcpExchange(11211, "version\r\n", "\r\n");
            assertTrue(version.startsWith("VERSION 1."), version);
            String stats = tcpExchange(11211, "stats\r\n", "END\r\n");
            assertTrue(stats.contains("STAT pid " + pid + "\r\n"), "memcached's own pid is the unit's main pid:\n" + stats);
            return null;
        }));
    }

    @Test
    void redis() throws Exception {
        // Type=notify, User=redis, PrivateUsers=yes, RuntimeDirectory=redis: readiness comes through
        // jinit's NOTIFY_SOCKET from inside a user namespace.
        // LimitNOFILE=65535 as Debian ships it: without CAP_SYS_RESOURCE and with a lower hard limit
        // (a container's root), jinit sets the closest value allowed and says so, as systemd does.
        Daemon d = new Daemon("redis-server", "redis-server.service", "/usr/bin/redis-server", "");
        d.run(pid -> {
            inNetworkOf(pid, () -> {
                assertEquals("+PONG\r\n", tcpExchange(6379, "PING\r\n", "\r\n"));
                String info = tcpExchange(6379, "INFO server\r\n", "\r\n\r\n");
                assertTrue(info.contains("process_id:" + pid + "\r\n"), "redis' own pid is the unit's main pid:\n" + info);
                return null;
            });
            assertEquals("redis", owner(pid), "User=redis");
            // The unit's hardening that jinit applies, as the process sees it.
            String status = Files.readString(Path.of("/proc", Integer.toString(pid), "status"));
            assertTrue(status.contains("\nCapBnd:\t0000000000000000\n"), "CapabilityBoundingSet= (empty), also in"
                    + " the user namespace of PrivateUsers=yes:\n" + status);
            assertTrue(status.contains("\nNoNewPrivs:\t1\n"), "NoNewPrivileges=true:\n" + status);
            assertTrue(status.contains("\nUmask:\t0007\n"), "UMask=007:\n" + status);
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")), Files.readSymbolicLink(
                    Path.of("/proc", Integer.toString(pid), "ns", "user")), "PrivateUsers=yes");
            Path runtime = Path.of("/run/redis");
            assertEquals("redis", Files.getOwner(runtime).getName(), "RuntimeDirectory= belongs to User=");
            assertEquals(02755, (Integer) Files.getAttribute(runtime, "unix:mode") & 07777, "RuntimeDirectoryMode=2755");
            long ownHard = dev.jinit.linux.Resources.getLimit(0, dev.jinit.exec.Rlimit.NOFILE.resource).hard();
            long expected = dev.jinit.linux.Capabilities.current().has(dev.jinit.linux.Capabilities.CAP_SYS_RESOURCE)
                    ? 65535 : Math.min(65535, ownHard);
            String limits = Files.readString(Path.of("/proc", Integer.toString(pid), "limits"));
            assertTrue(limits.matches("(?s).*\\nMax open files +" + expected + " +" + expected + " .*"),
                    "LimitNOFILE=65535, or the closest jinit may set (" + expected + "):\n" + limits);
        });
    }

    @Test
    void ssh() throws Exception {
        assumeTrue(hostKeys(), "openssh-server has no host keys in /etc/ssh (run ssh-keygen -A)");
        Daemon d = new Daemon("openssh-server", "ssh.service", "/usr/sbin/sshd", null);
        // sshd as configured by the package: port 22, in jinit's network namespace (only lo there).
        // ExecReload= ends in kill -HUP $MAINPID: sshd then re-executes itself (same pid) and opens a new
        // listening socket, which shows that the signal reached the right process.
        d.reload(new Reload() {
            List<String> before;

            @Override
            public void before(int pid) throws IOException {
                before = sockets(pid);
            }

            @Override
            public boolean done(int pid) throws IOException {
                List<String> now = sockets(pid);
                return !now.isEmpty() && now.stream().noneMatch(before::contains);
            }
        });
        // KillMode=process: jinit stop ends the listening sshd only; a connection's own sshd process
        // lives on (under systemd this is what keeps sessions alive across a restart of ssh).
        d.aroundStop(pid -> {
            // The serving checks' own connections may still have their (ending) sshd: ours is a new one.
            List<Integer> before = children(pid);
            Socket connection = inNetworkOf(pid, () -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), SSH_PORT), 5000);
                return s;
            });
            try {
                int[] child = new int[1];
                poll("sshd's process for the connection", () -> (child[0] = newChild(pid, before)) > 0);
                return main -> {
                    try {
                        assertTrue(JinitRun.alive(child[0]), "KillMode=process spares the connection's sshd " + child[0]);
                    } finally {
                        connection.close();
                    }
                    poll("the connection's sshd " + child[0] + " ending with its connection", () -> !JinitRun.alive(child[0]));
                };
            } catch (Exception | Error e) {
                connection.close();
                throw e;
            }
        });
        // A connection open when jinit exits: its sshd, spared by KillMode=process, must still end.
        d.beforeTerminate(pid -> {
            List<Integer> before = children(pid);
            Socket s = inNetworkOf(pid, () -> {
                Socket c = new Socket();
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), SSH_PORT), 5000);
                return c;
            });
            d.closeAtEnd(s);
            poll("sshd's process for the connection", () -> newChild(pid, before) > 0);
        });
        d.run(pid -> inNetworkOf(pid, () -> {
            String banner = tcpExchange(SSH_PORT, "", "\r\n");
            assertTrue(banner.startsWith("SSH-2.0-OpenSSH_"), banner);
            return null;
        }));
    }

    @Test
    void dnsmasq() throws Exception {
        String resolvconfNote = Files.isExecutable(Path.of("/sbin/resolvconf")) ? """
                # resolvconf is installed: the helper's start-resolvconf would make 127.0.0.1 the
                # machine's resolver. The test's dnsmasq must never touch the host.
                ExecStartPost=
                ExecStop=
                """ : "";
        Daemon d = new Daemon("dnsmasq", "dnsmasq.service", "/usr/sbin/dnsmasq", null);
        // A hosts file of the test's own, which dnsmasq re-reads on SIGHUP (ExecReload=).
        Path hosts = d.layout.root.resolve("hosts");
        Files.writeString(hosts, "");
        Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-r--r--"));
        d.dropIn("""
                # Debian's helper adds $DNSMASQ_OPTS to dnsmasq's command line: DNS on 127.0.0.1:5353
                # only, no upstream servers, not /etc/hosts but the test's file, one name to answer.
                Environment="DNSMASQ_OPTS=--port=5353 --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts --addn-hosts=%s --address=/dnsmasq.jinit.test/192.0.2.53"
                """.formatted(hosts) + resolvconfNote);
        d.reload(new Reload() {
            @Override
            public void before(int pid) throws IOException {
                Files.writeString(hosts, "192.0.2.54 reload.jinit.test\n");
            }

            @Override
            public boolean done(int pid) throws Exception {
                return inNetworkOf(pid, () -> tail(dnsQuery(5353, "reload.jinit.test"), 4).equals(List.of(192, 0, 2, 54)));
            }
        });
        // dnsmasq Requires= network.target, which systemd provides and a bare unit directory does not.
        d.layout.unit("network.target", "[Unit]\nDescription=Network\n");
        d.run(pid -> inNetworkOf(pid, () -> {
            byte[] answer = dnsQuery(5353, "dnsmasq.jinit.test");
            assertEquals(0, answer[3] & 0x0f, "RCODE NOERROR");
            assertTrue(((answer[6] & 0xff) << 8 | (answer[7] & 0xff)) >= 1, "at least one answer");
            assertEquals(List.of(192, 0, 2, 53), tail(answer, 4), "the A record from --address");
            return null;
        }));
    }

    /** A check made while the daemon runs, given its main pid. */
    interface Check {
        void verify(int mainPid) throws Exception;
    }

    /** What shows that {@code jinit reload} reached the daemon. */
    interface Reload {
        void before(int mainPid) throws Exception;

        /** Whether the reload has taken effect (polled until the deadline). */
        boolean done(int mainPid) throws Exception;
    }

    /** Called before {@code jinit stop}; the check it returns runs after the stop. */
    interface AroundStop {
        Check before(int mainPid) throws Exception;
    }

    /** One daemon's unit copied into a fresh layout, its drop-in, and the life cycle every test runs. */
    static final class Daemon {
        final String unit;
        final JinitRun layout;
        private final StringBuilder dropIn = new StringBuilder();
        private Reload reload;
        private AroundStop aroundStop = pid -> main -> { };
        private Check beforeTerminate = pid -> { };
        private final List<AutoCloseable> toClose = new ArrayList<>();

        /** Skips the test when the package's program or unit file is missing; {@code dropIn} may be null. */
        Daemon(String pkg, String unit, String program, String dropIn) throws IOException {
            assumeTrue(Files.isExecutable(Path.of(program)), pkg + " is not installed (no " + program + ")");
            Path source = SYSTEM_UNITS.resolve(unit);
            assumeTrue(Files.isRegularFile(source), pkg + " is installed but has no " + source);
            this.unit = unit;
            // Not under /tmp: PrivateTmp= (memcached, redis) mounts a private /tmp over it, which would
            // hide the NOTIFY_SOCKET in jinit's state directory from a Type=notify daemon.
            this.layout = JinitRun.layout(Path.of("/run"), unit.replace(".service", "")).inOwnNetworkNamespace();
            Files.copy(source, layout.units.resolve(unit));
            if (dropIn != null) dropIn(dropIn);
        }

        void dropIn(String lines) {
            dropIn.append(lines);
        }

        void reload(Reload r) {
            reload = r;
        }

        void aroundStop(AroundStop a) {
            aroundStop = a;
        }

        void beforeTerminate(Check c) {
            beforeTerminate = c;
        }

        void closeAtEnd(AutoCloseable c) {
            toClose.add(c);
        }

        void run(Check serving) throws Exception {
            if (!dropIn.isEmpty()) {
                Path dir = Files.createDirectories(layout.units.resolve(unit + ".d"));
                Files.writeString(dir.resolve("override.conf"), "[Service]\n" + dropIn);
            }
            // The daemons' own files are the machine's (/run/crond.pid, /run/sshd, /run/dnsmasq/...): a
            // second run of this test on the machine (another checkout, another build) waits its turn.
            try (FileChannel lock = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = lock.lock()) {
                lifeCycle(serving);
            }
        }

        private void lifeCycle(Check serving) throws Exception {
            // The daemons' own configuration names /run, /var/lib and /var/log: RuntimeDirectory= and
            // the like must be made there.
            String text = Files.readString(layout.units.resolve(unit));
            boolean reloadable = text.contains("\nExecReload=");
            boolean restarts = text.contains("\nRestart=always") || text.contains("\nRestart=on-failure");
            try (JinitRun j = layout.start("--runtime-base", "/run", "--state-base", "/var/lib", "--logs-base", "/var/log")) {
                int started = awaitServing(j, serving, 0);

                // ExecReload= (ssh: sshd -t, then kill -HUP $MAINPID) keeps the main process; without
                // one, reload is refused, as systemctl refuses it, and nothing happens to the daemon.
                if (reload != null) reload.before(started);
                JinitRun.Client reloaded = j.client("reload", unit);
                if (reloadable) assertEquals(0, reloaded.code(), reloaded.toString());
                else assertNotEquals(0, reloaded.code(), reloaded.toString());
                if (reload != null) j.await(unit + " reloaded", () -> {
                    try {
                        return reload.done(started);
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertEquals(started, awaitServing(j, serving, 0), "the same main process after reload");

                // A crash (SIGKILL is never clean): Restart=always and on-failure bring the daemon back;
                // without Restart= (dnsmasq) the unit fails and starts again on request.
                Posix.kill(started, Signals.SIGKILL);
                j.await(unit + "'s killed main process " + started + " gone", () -> !JinitRun.alive(started));
                if (!restarts) {
                    j.awaitStatus(unit, "failed (Result: signal)");
                    JinitRun.Client again = j.client("start", unit);
                    assertEquals(0, again.code(), again.toString());
                }
                int first = awaitServing(j, serving, started);
                assertNotEquals(started, first, "a new main process after the crash");
                assertTrue(j.client("status", unit).out().contains("Restarts: " + (restarts ? 1 : 0)),
                        j.client("status", unit).toString());

                Check afterStop = aroundStop.before(first);
                JinitRun.Client stop = j.client("stop", unit);
                assertEquals(0, stop.code(), stop.toString());
                j.await(unit + "'s main process " + first + " gone", () -> !JinitRun.alive(first));
                afterStop.verify(first);
                // Stopped on request, so no restart (Restart=always for memcached and redis) and no failure.
                JinitRun.Client after = j.awaitStatus(unit, "inactive (dead)");
                assertEquals(3, after.code(), after.toString());
                assertFalse(after.out().contains("Main PID:"), after.toString());

                JinitRun.Client start = j.client("start", unit);
                assertEquals(0, start.code(), start.toString());
                int second = awaitServing(j, serving, first);
                assertNotEquals(first, second, "a new process after start");
                String netns = Files.readSymbolicLink(Path.of("/proc", Integer.toString(second), "ns", "net")).toString();
                assertEquals(Files.readSymbolicLink(Path.of("/proc", Integer.toString(j.pid()), "ns", "net")).toString(), netns,
                        "the daemon runs in jinit's network namespace (no PrivateNetwork= added)");
                assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), netns,
                        "jinit runs in a network namespace of its own, not the machine's");
                List<Integer> tasks = tasks(j.client("status", unit));

                beforeTerminate.verify(second);
                assertEquals(0, j.terminate(), j.output());
                for (int pid : tasks) assertFalse(JinitRun.alive(pid), unit + "'s process " + pid + " outlived jinit");
                // Every process the daemon ever started shares jinit's network namespace, and only they and jinit did.
                assertEquals(List.of(), processesIn(netns), unit + " left processes behind");
            } finally {
                for (AutoCloseable c : toClose) c.close();
                // /run is memory: do not leave the layout there.
                try (var walk = Files.walk(layout.root)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }

        /**
         * Waits for active (running) with a main process other than {@code previous} (a killed one
         * shows until jinit has reaped it), checks the daemon serves, and that it is still the same
         * process after.
         */
        private int awaitServing(JinitRun j, Check serving, int previous) throws Exception {
            int[] main = new int[1];
            j.await(unit + " active (running) with a main process other than " + previous, () -> {
                JinitRun.Client s = j.client("status", unit);
                if (!s.out().contains("active (running)")) return false;
                main[0] = mainPid(s);
                return main[0] != previous;
            });
            int pid = main[0];
            // Listening may come a moment after "running" for a Type=simple daemon: retry until the deadline.
            AssertionError[] last = new AssertionError[1];
            try {
                j.await(unit + " serving", () -> {
                    try {
                        serving.verify(pid);
                        return true;
                    } catch (AssertionError | Exception e) {
                        last[0] = e instanceof AssertionError a ? a : new AssertionError(e.toString(), e);
                        return false;
                    }
                });
            } catch (AssertionError timeout) {
                if (last[0] != null) timeout.addSuppressed(last[0]);
                throw timeout;
            }
            JinitRun.Client now = j.client("status", unit);
            assertEquals(pid, mainPid(now), "the same main process, not a restarted one:\n" + now);
            assertTrue(now.out().contains("active (running)"), now.toString());
            return pid;
        }
    }

    static int mainPid(JinitRun.Client status) {
        Matcher m = Pattern.compile("Main PID: (\\d+)").matcher(status.out());
        assertTrue(m.find(), status.toString());
        return Integer.parseInt(m.group(1));
    }

    /** The pids of the "Tasks: N (a, b)" line of {@code status UNIT}. */
    static List<Integer> tasks(JinitRun.Client status) {
        Matcher m = Pattern.compile("Tasks: \\d+ \\(([\\d, ]+)\\)").matcher(status.out());
        assertTrue(m.find(), status.toString());
        return Arrays.stream(m.group(1).split(",\\s*")).map(Integer::valueOf).toList();
    }

    /** Live processes whose network namespace is {@code netns} (as readlink shows it: net:[inode]). */
    static List<Integer> processesIn(String netns) throws IOException {
        List<Integer> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    int pid = Integer.parseInt(p.getFileName().toString());
                    if (netns.equals(Files.readSymbolicLink(p.resolve("ns/net")).toString()) && JinitRun.alive(pid))
                        found.add(pid);
                } catch (IOException gone) {
                    // ended while we looked
                }
            }
        }
        return found;
    }

    /** Polls {@code condition} for up to 30 s. */
    static void poll(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** The children of {@code pid} (from /proc/PID/task/PID/children); none when it is gone. */
    static List<Integer> children(int pid) {
        try {
            String children = Files.readString(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(pid), "children")).trim();
            return children.isEmpty() ? List.of() : Arrays.stream(children.split(" ")).map(Integer::valueOf).toList();
        } catch (IOException gone) {
            return List.of();
        }
    }

    /** A live child of {@code pid} that is not one of {@code before}, or 0. */
    static int newChild(int pid, List<Integer> before) {
        return children(pid).stream().filter(c -> !before.contains(c) && JinitRun.alive(c)).findFirst().orElse(0);
    }

    /** The sockets a process holds ("socket:[inode]"). */
    static List<String> sockets(int pid) throws IOException {
        List<String> out = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Integer.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) out.add(target);
                } catch (IOException closed) {
                    // closed while we looked
                }
            }
        }
        return out;
    }

    static String owner(int pid) throws IOException {
        return Files.getOwner(Path.of("/proc", Integer.toString(pid))).getName();
    }

    static boolean hostKeys() throws IOException {
        try (var files = Files.list(Path.of("/etc/ssh"))) {
            return files.anyMatch(f -> f.getFileName().toString().matches("ssh_host_.*_key"));
        }
    }

    /**
     * Runs {@code body} on a fresh platform thread that has joined the network namespace of
     * {@code pid}; the thread ends with it, so nothing else of the test JVM changes namespace.
     * Sockets the body opens belong to that namespace.
     */
    static <T> T inNetworkOf(int pid, Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            try (Fd ns = Posix.open("/proc/" + pid + "/ns/net", Posix.O_RDONLY | Posix.O_CLOEXEC, 0)) {
                Namespaces.setns(ns, Namespaces.CLONE_NEWNET, "/proc/" + pid + "/ns/net");
            }
            return body.call();
        });
        Thread.ofPlatform().name("netns-" + pid).daemon(true).start(task);
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Connects to 127.0.0.1:{@code port}, sends {@code request}, reads until the reply ends with {@code end}. */
    static String tcpExchange(int port, String request, String end) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            while (!reply.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
                int b = in.read();
                if (b < 0) throw new IOException("connection closed after " + reply.toString(StandardCharsets.ISO_8859_1));
                reply.write(b);
            }
            return reply.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** One DNS query for the A record of {@code name} to 127.0.0.1:{@code port}; returns the reply. */
    static byte[] dnsQuery(int port, String name) throws IOException {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        // id 0x6a69, flags: recursion desired; one question, no other records.
        q.writeBytes(new byte[] {0x6a, 0x69, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            q.write(label.length());
            q.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.writeBytes(new byte[] {0, 0, 1, 0, 1}); // root, type A, class IN
        byte[] query = q.toByteArray();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            s.receive(reply);
            byte[] r = Arrays.copyOf(reply.getData(), reply.getLength());
            assertTrue(r.length >= 12 && r[0] == 0x6a && r[1] == 0x69 && (r[2] & 0x80) != 0, "a DNS reply to our query");
            return r;
        }
    }

    static List<Integer> tail(byte[] bytes, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = bytes.length - n; i < bytes.length; i++) out.add(bytes[i] & 0xff);
        return out;
    }
}
