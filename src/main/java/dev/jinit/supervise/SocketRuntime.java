package dev.jinit.supervise;

import dev.jinit.linux.Fcntl;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Sockets;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One socket unit's life on the manager thread (systemd's socket.c, the states jinit needs): {@code dead};
 * {@code start} while its sockets are made on the spawn executor; {@code listening} with every socket
 * watched; {@code running} while the service it activated runs (Accept=no: the service owns the traffic,
 * nothing is watched); {@code failed}. With Accept=yes it stays listening and each connection becomes an
 * instance of the template service.
 *
 * <p>A readiness, a finished open or a stop that arrives for an earlier start (its {@code generation}) is
 * dropped, so a socket stopped while its open was on the executor never leaks a descriptor.
 */
final class SocketRuntime {
    enum State {
        DEAD("dead", ActiveState.INACTIVE), START("start", ActiveState.ACTIVATING), LISTENING("listening", ActiveState.ACTIVE),
        RUNNING("running", ActiveState.ACTIVE), FAILED("failed", ActiveState.FAILED);

        final String word;
        final ActiveState active;

        State(String word, ActiveState active) {
            this.word = word;
            this.active = active;
        }
    }

    /** What the socket asks of the manager. */
    interface Host {
        /** The socket came up, failed to, or went down: its job and its transition. */
        void socketChanged(UnitRuntime socket, ActiveState oldActive, String oldSub, String failure);

        /** Accept=no: traffic came; start the service. Completes with the start job's outcome. */
        CompletableFuture<JobOutcome> activate(UnitRuntime socket, String service);

        /** Accept=yes: a connection came; start an instance with it. The host owns {@code connection} now. */
        void accepted(UnitRuntime socket, Fd connection, String instance);

        SocketWatch watch();
    }

    /** systemd's defaults of TriggerLimitIntervalSec=/TriggerLimitBurst= (2 s; 200, or 20 with Accept=yes). */
    static final long TRIGGER_INTERVAL_MILLIS = 2000;

    private final UnitRuntime unit;
    private final SocketConfig config;
    private final ServiceDriver.Context ctx;
    private final Host host;
    private State state = State.DEAD;
    private String result = "success";
    private int generation;
    private final List<Fd> fds = new ArrayList<>();
    private final List<Long> watchIds = new ArrayList<>();
    private final Deque<Long> triggers = new ArrayDeque<>();
    /** Accept=yes: connections accepted so far (the instance number) and instances alive. */
    private long accepted;
    private int connections;

    SocketRuntime(UnitRuntime unit, SocketConfig config, ServiceDriver.Context ctx, Host host) {
        this.unit = unit;
        this.config = config;
        this.ctx = ctx;
        this.host = host;
    }

    SocketConfig config() {
        return config;
    }

    State state() {
        return state;
    }

    String result() {
        return result;
    }

    int connections() {
        return connections;
    }

    /** The listening descriptors, for the service it activates (valid while listening or running). */
    List<Fd> fds() {
        return state == State.LISTENING || state == State.RUNNING ? List.copyOf(fds) : List.of();
    }

    void start() {
        if (state == State.START || state == State.LISTENING || state == State.RUNNING) return;
        State old = state;
        result = "success";
        int gen = ++generation;
        set(State.START, old.active, old.word, null);
        Socket s = config.socket();
        boolean blocking = !s.accept();
        CompletableFuture.runAsync(() -> {
            try {
                List<Fd> opened = SocketListeners.open(unit.name, s, blocking);
                ctx.loop().post(unit.guarded("its sockets opened", () -> opened(gen, opened)));
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                ctx.loop().post(unit.guarded("its sockets failing to open", () -> openFailed(gen, why)));
            }
        }, ctx.ports().spawner());
    }

    private void opened(int gen, List<Fd> opened) {
        if (gen != generation || state != State.START) {
            for (Fd fd : opened) fd.close();
            return;
        }
        fds.addAll(opened);
        try {
            for (int i = 0; i < fds.size(); i++) {
                int index = i;
                watchIds.add(host.watch().watch(fds.get(i), () -> ctx.loop().post(unit.guarded("traffic on its socket",
                        () -> ready(gen, index)))));
            }
        } catch (RuntimeException e) {
            closeAll();
            result = "resources";
            set(State.FAILED, ActiveState.ACTIVATING, State.START.word, "Failed to watch the sockets of " + unit.name + ": " + e.getMessage());
            return;
        }
        unit.note("Listening on " + describe() + ".");
        ctx.console().println("jinit: Listening on " + unit.def.description() + ".");
        set(State.LISTENING, ActiveState.ACTIVATING, State.START.word, null);
    }

    private void openFailed(int gen, String why) {
        if (gen != generation || state != State.START) return;
        result = "resources";
        String msg = "Failed to listen on " + unit.name + ": " + why;
        unit.note(msg);
        ctx.console().println("jinit: " + msg);
        set(State.FAILED, ActiveState.ACTIVATING, State.START.word, msg);
    }

    /** Stops listening: every socket closed (and removed with RemoveOnStop=). The service it started runs on. */
    void stop() {
        State old = state;
        generation++;
        closeAll();
        if (config.socket().removeOnStop()) {
            Socket s = config.socket();
            CompletableFuture.runAsync(() -> SocketListeners.remove(s), ctx.ports().spawner());
        }
        if (old == State.FAILED || old == State.DEAD) {
            state = State.DEAD;
            return;
        }
        set(State.DEAD, old.active, old.word, null);
    }

    void resetFailed() {
        if (state == State.FAILED) {
            state = State.DEAD;
            result = "success";
        }
    }

    private void closeAll() {
        for (int i = 0; i < fds.size(); i++) {
            try {
                host.watch().unwatch(fds.get(i), watchIds.get(i));
            } catch (RuntimeException ignored) {
                // the descriptor is closed next anyway
            }
            fds.get(i).close();
        }
        fds.clear();
        watchIds.clear();
    }

    /** One of its sockets is readable (a connection, a datagram, FIFO data). */
    private void ready(int gen, int index) {
        if (gen != generation || index >= fds.size()) return;
        if (config.socket().accept()) {
            if (state != State.LISTENING) return;
            acceptAll(index);
            rearm(index);
            return;
        }
        if (state != State.LISTENING) return; // running: the service has the traffic
        if (triggerLimitHit(200)) return;
        State old = state;
        set(State.RUNNING, old.active, old.word, null);
        unit.note("Incoming traffic on " + describeOne(index) + ": starting " + config.service() + ".");
        host.activate(unit, config.service()).whenComplete((o, e) -> ctx.loop().post(unit.guarded("the activation of "
                + config.service(), () -> {
            if (gen != generation) return;
            if (e != null || !o.ok()) {
                String why = e != null ? e.toString() : o.message();
                unit.note("Activation of " + config.service() + " failed: " + why);
                serviceDown(why != null && why.contains("start-limit-hit"));
            }
        })));
    }

    /** Accepts every pending connection of a listening socket; each becomes an instance (or is refused). */
    private void acceptAll(int index) {
        Fd listener = fds.get(index);
        for (int n = 0; n < 64; n++) {
            Fd conn;
            try {
                conn = Sockets.accept(listener, unit.name);
            } catch (RuntimeException e) {
                unit.note("Failed to accept a connection on " + describeOne(index) + ": " + e.getMessage());
                return;
            }
            if (conn == null) return;
            if (connections >= config.socket().maxConnections()) {
                String msg = "Too many incoming connections (" + connections + "), dropping connection.";
                unit.note(msg);
                conn.close();
                continue;
            }
            if (triggerLimitHit(20)) {
                conn.close();
                return;
            }
            long nr = accepted++;
            String instance;
            try {
                instance = InstanceNames.of(nr, conn);
            } catch (RuntimeException e) {
                instance = nr + "-unknown";
            }
            connections++;
            host.accepted(unit, conn, instance);
        }
    }

    /** An instance started for one of its connections has ended. */
    void connectionEnded() {
        if (connections > 0) connections--;
    }

    /**
     * systemd's trigger limit: more activations than {@code burst} within 2 s means a service that does not
     * take its traffic; the socket fails with trigger-limit-hit instead of spinning.
     */
    private boolean triggerLimitHit(int burst) {
        long now = ctx.loop().millis();
        while (!triggers.isEmpty() && triggers.peekFirst() <= now - TRIGGER_INTERVAL_MILLIS) triggers.pollFirst();
        triggers.addLast(now);
        if (triggers.size() <= burst) return false;
        fail("trigger-limit-hit", "Trigger limit hit (" + burst + " activations in 2 s), refusing further activation.");
        return true;
    }

    private void fail(String why, String msg) {
        State old = state;
        generation++;
        closeAll();
        result = why;
        unit.note(msg);
        ctx.console().println("jinit: " + unit.name + ": " + msg);
        set(State.FAILED, old.active, old.word, msg);
    }

    /**
     * The activated service changed (Accept=no): up means running (the service owns the traffic), down means
     * listening again with every socket re-armed.
     */
    void serviceChanged(boolean up, boolean startLimitHit) {
        if (config.socket().accept()) return;
        if (up && state == State.LISTENING) {
            set(State.RUNNING, state.active, state.word, null);
        } else if (!up && state == State.RUNNING) {
            serviceDown(startLimitHit);
        }
    }

    private void serviceDown(boolean startLimitHit) {
        if (state != State.RUNNING) return;
        if (startLimitHit) {
            fail("service-start-limit-hit", "Failed with result 'service-start-limit-hit': " + config.service()
                    + " was started too often.");
            return;
        }
        set(State.LISTENING, state.active, state.word, null);
        for (int i = 0; i < fds.size(); i++) rearm(i);
    }

    private void rearm(int index) {
        try {
            host.watch().rearm(fds.get(index), watchIds.get(index));
        } catch (RuntimeException e) {
            fail("resources", "Failed to watch " + describeOne(index) + " again: " + e.getMessage());
        }
    }

    private void set(State to, ActiveState oldActive, String oldSub, String failure) {
        state = to;
        host.socketChanged(unit, oldActive, oldSub, failure);
    }

    String describe() {
        return String.join(", ", config.socket().listens().stream().map(Object::toString).toList());
    }

    private String describeOne(int index) {
        List<Socket.Listen> l = config.socket().listens();
        return index < l.size() ? l.get(index).toString() : unit.name;
    }

    /** A close-on-exec copy of each listening socket, for one spawn (closed by the caller after it). */
    List<Fd> duplicates() {
        List<Fd> out = new ArrayList<>();
        try {
            for (Fd fd : fds()) out.add(Fcntl.dupCloexec(fd.get()));
        } catch (RuntimeException e) {
            for (Fd fd : out) fd.close();
            throw e;
        }
        return out;
    }
}
