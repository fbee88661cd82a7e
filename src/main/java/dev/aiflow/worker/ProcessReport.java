package dev.aiflow.worker;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a supervised run did.
 *
 * @param outcome {@code OK} (exited 0), {@code EXIT_NONZERO}, {@code TIMEOUT}, {@code SILENCE},
 *     {@code MEMORY} or {@code SPAWN_FAILED}
 * @param exitCode the exit code, or -1 when it was stopped or never started
 * @param detail a readable sentence about how it ended
 * @param stdout the captured stdout (up to the cap, secrets redacted)
 * @param stdoutFile where stdout was kept as evidence
 * @param stderrFile where stderr was kept as evidence
 * @param stdoutBytes bytes seen on stdout, kept or not
 * @param stderrBytes bytes seen on stderr
 * @param truncated whether the cap cut the evidence
 * @param peakMemoryBytes the largest resident memory of the tree that was sampled
 * @param pid the process id, or -1
 */
public record ProcessReport(
    Outcome outcome,
    int exitCode,
    String detail,
    String stdout,
    Path stdoutFile,
    Path stderrFile,
    long stdoutBytes,
    long stderrBytes,
    boolean truncated,
    Duration elapsed,
    long peakMemoryBytes,
    long pid) {}
