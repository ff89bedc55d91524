package dev.jinit.unit;

/** A {@code .target}: no processes, only a name that pulls in and orders other units. */
public record TargetUnit(UnitInfo info) implements Unit {}
