package dev.aiflow.qa;

/** An evidence file the review saw, and its SHA-256 at that moment. */
public record EvidenceRecord(String path, String sha256, long bytes) {}
