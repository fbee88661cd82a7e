package dev.aiflow.protocol;

/**
 * A command the worker ran.
 *
 * @param command the command line, as in the pack's {@code required_commands} when it is one
 * @param exitCode its exit code
 * @param evidencePath where its output was kept, under {@code .artifacts/}
 */
public record CommandRecord(String command, int exitCode, String evidencePath) {}
