/**
 * systemd unit files: syntax, typed model, directory loading and the dependency graph. Pure logic: no native
 * calls, nothing started here.
 *
 * <h2>Pipeline</h2>
 * {@link dev.jinit.unit.UnitFileParser} (lines → assignments, never throws) → {@link dev.jinit.unit.UnitBuilder}
 * (assignments → {@link dev.jinit.unit.Unit}, collecting every problem) → {@link dev.jinit.unit.UnitLoader}
 * (a directory → {@link dev.jinit.unit.LoadResult}, with drop-ins, templates and {@code .wants/} links) →
 * {@link dev.jinit.unit.UnitGraph} (startup set, closures, start/stop order, ordering cycles).
 *
 * <h2>Errors</h2>
 * Syntax problems and unknown sections or directives are warnings ({@code file:line: unknown directive X in
 * [Service], ignoring}), reported once per file and name; the assignments are kept in
 * {@link dev.jinit.unit.Unit.UnitInfo#unsupported}. A malformed value fails only its unit, as
 * {@code file:line: Directive=value: reason} with LOAD state {@code bad-setting}; an unreadable file or an
 * invalid name is {@code error}; a symlink to /dev/null or an empty file is {@code masked}. Ordering cycles fail
 * every unit on them ({@code ordering cycle: a.service -> b.service -> a.service}) and nothing else.
 *
 * <h2>Deliberate differences from systemd</h2>
 * <ul>
 * <li>Only {@code .service}, {@code .target}, {@code .socket} and {@code .timer} units run; other names are valid in dependencies and simply
 *     never exist (After= on them is ignored, Wants= is a note, Requires= fails the start).</li>
 * <li>An unknown {@code %} specifier fails the unit instead of being dropped with a warning.</li>
 * <li>{@code !} and {@code !!} both mean "no User=/Group= change"; {@code |} (shell) is refused.</li>
 * <li>Type=idle is refused with a clear message; StandardOutput=syslog, kmsg and the
 *     +console forms become {@code journal} (jinit's log pipeline) with a warning; tty, console and socket are
 *     refused.</li>
 * <li>Spawn directives (User=, Limit*=, Private*=, …) are checked at load through {@code exec.Directives};
 *     users and groups are resolved at start.</li>
 * <li>DefaultDependencies=yes adds what systemd adds (services: Requires=/After= sysinit.target, After=
 *     basic.target; timers: Before= timers.target; all: Conflicts=/Before= shutdown.target); the standard targets
 *     of systemd.special(7) are built in ({@link dev.jinit.unit.BuiltinTargets}) and default.target is always
 *     loaded; targets are ordered after what they pull in, as in systemd.</li>
 * </ul>
 */
package dev.jinit.unit;
