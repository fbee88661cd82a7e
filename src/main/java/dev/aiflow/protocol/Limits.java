package dev.aiflow.protocol;

/** Runtime limits of one agent run; the supervisor stops the whole process tree on a breach. */
public record Limits(int maxRuntimeSec, int maxSilenceSec, int maxMemoryMb) {}
