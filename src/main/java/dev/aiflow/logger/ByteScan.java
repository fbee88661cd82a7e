package dev.aiflow.logger;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte searches eight bytes at a time (SWAR): verification spends most of its time looking for
 * newlines and quotes, and this keeps it close to the speed of SHA-256 itself.
 */
final class ByteScan {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long NEWLINES = '\n' * ONES;
  private static final long QUOTES = '"' * ONES;
  private static final long BACKSLASHES = '\\' * ONES;
  private static final long SPACES = ' ' * ONES;

  private ByteScan() {}

  /** High bit set in each byte of {@code x} that is zero; exact for the lowest such byte. */
  private static long zeroBytes(long x) {
    return (x - ONES) & ~x & HIGHS;
  }

  /** Index of the first '\n' in {@code b[from, to)}, or -1. */
  static int indexOfNewline(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long found = zeroBytes((long) LONGS.get(b, i) ^ NEWLINES);
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Index of the first '"' or '\\' in {@code b[from, to)}, or -1. */
  static int indexOfQuoteOrBackslash(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long word = (long) LONGS.get(b, i);
      long found = zeroBytes(word ^ QUOTES) | zeroBytes(word ^ BACKSLASHES);
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '"' || b[i] == '\\') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Index of the first byte in {@code b[from, to)} that ends a plain run of string content: '"',
   * '\\', a control character (below 0x20) or the first byte of a non-ASCII character (0x80 and
   * above); -1 when there is none.
   */
  static int indexOfStringSpecial(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long word = (long) LONGS.get(b, i);
      // (word - SPACES) | word sets the high bit of a byte below 0x20 or from 0x80 (exact for the
      // lowest such byte, like zeroBytes); the lowest match of any of the three terms is real
      long found =
          zeroBytes(word ^ QUOTES)
              | zeroBytes(word ^ BACKSLASHES)
              | (((word - SPACES) | word) & HIGHS);
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      byte c = b[i];
      if (c == '"' || c == '\\' || c < 0x20) { // bytes from 0x80 are negative
        return i;
      }
    }
    return -1;
  }
}
