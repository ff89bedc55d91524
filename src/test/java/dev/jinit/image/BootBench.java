package dev.jinit.image;

import dev.jinit.image.ImageTree.CharDevice;
import dev.jinit.image.ImageTree.Content;
import dev.jinit.image.ImageTree.Directory;
import dev.jinit.image.ImageTree.Symlink;
import dev.jinit.kmod.KernelModule;
import dev.jinit.kmod.ModuleIndex;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BENCHMARKS.md's boot comparison: the same five services started by jinit (PID 1 from a jinit
 * image) and by busybox init (from an inittab, in an initramfs of the same kernel with the same
 * modules and early mounts), booted alternately under the same qemu setup.
 *
 * <p>Every service's first act is to print the guest's uptime (/proc/uptime: seconds since the
 * kernel started); "all units started" is the largest of the five. A sixth entry waits until all
 * five have started, lets them settle for 2 s, prints PID 1's resident set (Rss in smaps_rollup, which
 * walks the page tables: VmRSS lags for a process as idle as busybox init) and powers off with SIGUSR2,
 * busybox init's and jinit's poweroff signal alike. Medians over the rounds.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:target/lib/gson-2.13.2.jar \
 *     dev.jinit.image.BootBench [ROUNDS]
 * </pre>
 */
public final class BootBench {
    static final int SERVICES = 5;
    static final String SERVICE = "mkdir -p /run/bench; touch /run/bench/svc%1$d; "
            + "read up idle < /proc/uptime; echo \"bench: svc%1$d up $up\"; exec sleep 1000000";
    static final String REPORTER = "while [ $(ls /run/bench 2>/dev/null | wc -l) -lt " + SERVICES + " ]; do sleep 0.1; done; "
            + "sleep 2; echo \"bench: pid1 $(grep ^Rss: /proc/1/smaps_rollup)\"; kill -USR2 1";
    static final List<String> MODULES = List.of("virtio_net", "virtio_pci", "virtio_blk");

    record Round(double initStarted, double allStarted, long pid1RssKb) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        VmFixture.Kernel k = VmFixture.kernel();
        Path work = Files.createDirectories(VmFixture.WORK.resolve("bench"));
        Path jinitImage = jinitImage(k, work);
        Path busyboxImage = busyboxImage(k, work);
        System.out.printf("images: jinit %.1f MB, busybox init %.1f MB (zstd -3)%n", Files.size(jinitImage) / 1e6,
                Files.size(busyboxImage) / 1e6);
        System.out.println("load at start: " + Files.readString(Path.of("/proc/loadavg")).strip());
        Map<String, List<Round>> results = new TreeMap<>();
        for (int r = 0; r < rounds; r++)
            for (var e : Map.of("jinit", jinitImage, "busybox-init", busyboxImage).entrySet()) {
                Round round = boot(k, e.getValue(), work.resolve(e.getKey() + "-" + r + ".log"));
                System.out.printf(Locale.ROOT, "round %d %-13s /init at %.2f s, all %d started at %.2f s, PID 1 RSS %d kB%n",
                        r, e.getKey(), round.initStarted(), SERVICES, round.allStarted(), round.pid1RssKb());
                results.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add(round);
            }
        System.out.println("load at end: " + Files.readString(Path.of("/proc/loadavg")).strip());
        for (var e : results.entrySet())
            System.out.printf(Locale.ROOT, "median %-13s /init at %.2f s, all started at %.2f s, PID 1 RSS %d kB (%d rounds)%n",
                    e.getKey(), median(e.getValue().stream().mapToDouble(Round::initStarted).toArray()),
                    median(e.getValue().stream().mapToDouble(Round::allStarted).toArray()),
                    (long) median(e.getValue().stream().mapToDouble(Round::pid1RssKb).toArray()), e.getValue().size());
    }

    static Round boot(VmFixture.Kernel k, Path image, Path log) throws Exception {
        Vm vm = new Vm(k.vmlinuz(), image, List.of(), List.of(), "512M", "", Vm.kvmUsable());
        try (SerialConsole c = new SerialConsole(vm, log)) {
            c.await("bench: pid1", Duration.ofMinutes(5));
            c.awaitExit(Duration.ofMinutes(3));
            String text = c.text();
            double all = 0;
            Matcher m = Pattern.compile("bench: svc\\d+ up ([0-9.]+)").matcher(text);
            int n = 0;
            while (m.find()) {
                all = Math.max(all, Double.parseDouble(m.group(1)));
                n++;
            }
            if (n != SERVICES) throw new AssertionError(n + " services reported in " + log);
            Matcher init = Pattern.compile("\\[ *([0-9.]+)\\] Run /init").matcher(text);
            Matcher rss = Pattern.compile("bench: pid1 Rss:\\s+(\\d+) kB").matcher(text);
            if (!rss.find()) throw new AssertionError("no RSS line in " + log);
            return new Round(init.find() ? Double.parseDouble(init.group(1)) : Double.NaN, all, Long.parseLong(rss.group(1)));
        }
    }

    static Path jinitImage(VmFixture.Kernel k, Path work) throws Exception {
        Path units = Files.createDirectories(work.resolve("units"));
        for (int i = 1; i <= SERVICES; i++)
            Files.writeString(units.resolve("svc" + i + ".service"), unit("/bin/sh -c '" + SERVICE.formatted(i).replace("$", "$$") + "'"));
        Files.writeString(units.resolve("reporter.service"), unit("/bin/sh -c '" + REPORTER.replace("$", "$$") + "'"));
        Path out = work.resolve("jinit.img");
        new ImageBuilder(new RuntimeBuilder(RuntimeBuilder.defaultCache(), System.err), System.err).build(new ImageSpec(units,
                Optional.of(k.modules()), MODULES, Optional.of(k.vmlinuz()), Optional.of(Path.of("/bin/busybox")), List.of(),
                VmFixture.classPath(), ImageSpec.Compression.ZSTD, out));
        return out;
    }

    static String unit(String exec) {
        return "[Service]\nExecStart=" + exec + "\n\n[Install]\nWantedBy=multi-user.target\n";
    }

    /** busybox as /init with an inittab doing what jinit's boot does before the units: mounts, modules. */
    static Path busyboxImage(VmFixture.Kernel k, Path work) throws Exception {
        ImageTree tree = new ImageTree();
        tree.copy(Path.of("/bin/busybox"), "/bin/busybox");
        Process p = new ProcessBuilder("/bin/busybox", "--list-full").start();
        for (String applet : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList())
            if (!applet.isBlank() && !applet.equals("bin/busybox")) tree.put("/" + applet.strip(), new Symlink("/bin/busybox", "applet"));
        p.waitFor();
        tree.put("/init", new Symlink("/bin/busybox", "init"));
        StringBuilder inittab = new StringBuilder("""
                ::sysinit:/bin/mount -t proc proc /proc
                ::sysinit:/bin/mount -t sysfs sysfs /sys
                ::sysinit:/bin/mount -t devtmpfs devtmpfs /dev
                ::sysinit:/bin/mkdir -p /dev/pts /dev/shm
                ::sysinit:/bin/mount -t devpts devpts /dev/pts
                ::sysinit:/bin/mount -t tmpfs tmpfs /dev/shm
                ::sysinit:/bin/mount -t tmpfs tmpfs /run
                ::sysinit:/bin/mount -t cgroup2 cgroup2 /sys/fs/cgroup
                ::sysinit:/sbin/modprobe -a virtio_net virtio_pci virtio_blk
                """);
        for (int i = 1; i <= SERVICES; i++) inittab.append("::respawn:/bin/sh -c '").append(SERVICE.formatted(i)).append("'\n");
        inittab.append("::once:/bin/sh -c '").append(REPORTER).append("'\n");
        tree.put("/etc/inittab", new Content(inittab.toString().getBytes(StandardCharsets.UTF_8), 0644, "inittab"));
        String release = k.modules().getFileName().toString();
        for (String index : ModuleIndex.INDEX_FILES)
            if (Files.isRegularFile(k.modules().resolve(index))) tree.copy(k.modules().resolve(index), "/lib/modules/" + release + "/" + index);
        for (KernelModule m : ModuleIndex.load(k.modules()).resolve(MODULES).load())
            tree.copy(k.modules().resolve(m.path()), "/lib/modules/" + release + "/" + m.path());
        for (String dir : List.of("/proc", "/sys", "/dev", "/run", "/tmp")) tree.put(dir, new Directory("mount point"));
        tree.put("/dev/console", new CharDevice(5, 1, "console"));
        Path out = work.resolve("busybox.img");
        try (OutputStream o = ZstdPipe.open(out)) {
            tree.writeCpio(o);
        }
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
