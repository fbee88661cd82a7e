package dev.aiflow.qa;

/**
 * One thing a check found.
 *
 * @param reasonCode e.g. {@code AC_NOT_COVERED}, {@code SCOPE_VIOLATION}
 * @param subject what it is about: a criterion id, a command, a path
 * @param detail a readable sentence
 * @param fixable whether a rework can fix it; a protocol or scope violation cannot
 */
public record Finding(String reasonCode, String subject, String detail, boolean fixable) {}
