package dev.jinit.api;

import dev.jinit.supervise.ManagerControl;
import dev.jinit.system.Part;
import dev.jinit.system.Supervisor;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP API as a part of the supervisor ({@code jinit run --api}, boot mode's {@code jinit.api=}).
 * Jetty is loaded and bound on a thread of its own once the startup jobs have ended (or after
 * {@link #UNITS_WAIT}): no unit waits for, or competes for CPU with, the ~1,100 classes of the server,
 * and a server that fails to bind is reported and leaves jinit as it was.
 */
public final class HttpApiPart implements Part {
    /** The server starts when the startup jobs have ended, or after this long at most. */
    static final Duration UNITS_WAIT = Duration.ofSeconds(5);

    private final ApiOptions options;
    private final boolean bootMode;

    /** @param bootMode PID 1: {@code POST /api/v1/system/poweroff|reboot} are allowed */
    public HttpApiPart(ApiOptions options, boolean bootMode) {
        this.options = options;
        this.bootMode = bootMode;
    }

    @Override
    public String name() {
        return "http-api";
    }

    @Override
    public AutoCloseable start(Supervisor s) {
        // Jetty logs through SLF4J; without a provider SLF4J prints a warning on the console. jinit
        // reports the server's failures itself, so Jetty's own log goes to SLF4J's no-op provider.
        if (System.getProperty("slf4j.provider") == null)
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        if (System.getProperty("slf4j.internal.verbosity") == null)
            System.setProperty("slf4j.internal.verbosity", "WARN"); // not even SLF4J's note that it uses the no-op
        Backend backend = new Backend(new ManagerControl(s.manager(), s.logs(), s::reload), s.logs(), s.manager()::subscribe,
                bootMode ? s::requestStop : null, dev.jinit.exec.Cgroups.find().orElse(null), s.reaper());
        AtomicReference<ApiServer> server = new AtomicReference<>();
        Object lock = new Object();
        boolean[] closed = {false};
        Thread starter = Thread.ofPlatform().name("jinit-http-start").daemon().start(() -> {
            try {
                s.unitsStarted().get(UNITS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // a unit still starting (a slow Type=notify) must not keep the way in closed
            } catch (ExecutionException | InterruptedException e) {
                return; // the supervisor closed before the units started
            }
            try {
                ApiServer started = ApiServer.start(options, backend, s.stateDir(), s.out());
                synchronized (lock) {
                    if (closed[0]) started.close();
                    else server.set(started);
                }
            } catch (Exception | LinkageError e) {
                s.err().println("jinit: http-api on " + options.address() + " failed to start, going on without it: " + e);
            }
        });
        return () -> {
            synchronized (lock) {
                closed[0] = true;
            }
            starter.interrupt();
            ApiServer started = server.get();
            if (started != null) started.close();
        };
    }
}
