package dev.aiflow.observe;

/**
 * A kernel evidence file and its SHA-256 when the kernel wrote it.
 *
 * @param path workspace-relative, under the step's {@code kernel/} evidence folder
 */
public record KernelFile(String path, String sha256, long bytes) {}
