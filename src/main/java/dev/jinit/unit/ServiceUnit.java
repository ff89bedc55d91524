package dev.jinit.unit;

/** A {@code .service}: [Unit] and [Install] in {@link #info}, [Service] in {@link #service}. */
public record ServiceUnit(UnitInfo info, Service service) implements Unit {}
