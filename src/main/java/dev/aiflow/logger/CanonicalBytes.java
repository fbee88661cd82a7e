package dev.aiflow.logger;

/**
 * Checks, without building a tree, that bytes are exactly the RFC 8785 form of a JSON value: no
 * whitespace, members strictly ordered (so no duplicates), strings with only the mandatory escapes
 * in their one canonical spelling and well-formed UTF-8, integers without sign, fraction or
 * exponent noise. This is what lets the verifier hash stored bytes directly: bytes that pass are
 * their own canonical form, so any reader who parses them sees exactly what was hashed.
 *
 * <p>It accepts a subset of canonical JSON and answers "not sure" (-1) for the rest: keys with
 * escapes or non-ASCII characters, numbers with a fraction or exponent or beyond 2^53, nesting
 * deeper than {@value #MAX_DEPTH}. Callers then take the slow path (Jackson and {@link
 * CanonicalJson}), which decides every case; events as the logger writes them never need it.
 */
final class CanonicalBytes {

  static final int MAX_DEPTH = 32;
  private static final long MAX_SAFE_INTEGER = 9007199254740992L; // 2^53, as CanonicalJson

  private CanonicalBytes() {}

  /**
   * Index just after the canonical value that starts at {@code i}, or -1 when the bytes are not
   * canonical (or not in the subset this class decides).
   */
  static int value(byte[] b, int i, int end, int depth) {
    if (i >= end) {
      return -1;
    }
    switch (b[i]) {
      case '"':
        {
          int close = string(b, i, end);
          return close < 0 ? -1 : close + 1;
        }
      case '{':
        return object(b, i, end, depth + 1);
      case '[':
        return array(b, i, end, depth + 1);
      case 't':
        return literal(b, i, end, "true");
      case 'f':
        return literal(b, i, end, "false");
      case 'n':
        return literal(b, i, end, "null");
      default:
        return integer(b, i, end);
    }
  }

  private static int object(byte[] b, int i, int end, int depth) {
    if (depth > MAX_DEPTH) {
      return -1;
    }
    int j = i + 1;
    if (j < end && b[j] == '}') {
      return j + 1;
    }
    int prevStart = -1;
    int prevEnd = -1;
    while (true) {
      int close = key(b, j, end);
      if (close < 0 || (prevStart >= 0 && compareKeys(b, prevStart, prevEnd, j + 1, close) >= 0)) {
        return -1;
      }
      prevStart = j + 1;
      prevEnd = close;
      j = close + 1;
      if (j >= end || b[j] != ':') {
        return -1;
      }
      j = value(b, j + 1, end, depth);
      if (j < 0 || j >= end) {
        return -1;
      }
      if (b[j] == '}') {
        return j + 1;
      }
      if (b[j] != ',') {
        return -1;
      }
      j++;
    }
  }

  private static int array(byte[] b, int i, int end, int depth) {
    if (depth > MAX_DEPTH) {
      return -1;
    }
    int j = i + 1;
    if (j < end && b[j] == ']') {
      return j + 1;
    }
    while (true) {
      j = value(b, j, end, depth);
      if (j < 0 || j >= end) {
        return -1;
      }
      if (b[j] == ']') {
        return j + 1;
      }
      if (b[j] != ',') {
        return -1;
      }
      j++;
    }
  }

  private static int literal(byte[] b, int i, int end, String word) {
    int n = word.length();
    if (end - i < n) {
      return -1;
    }
    for (int k = 0; k < n; k++) {
      if (b[i + k] != word.charAt(k)) {
        return -1;
      }
    }
    return i + n;
  }

  /**
   * An integer as ECMAScript prints it: {@code 0}, or an optional '-' and digits without a leading
   * zero, at most 2^53 in magnitude. Anything with a fraction or an exponent is left to the slow
   * path (its canonical spelling needs the full number algorithm).
   */
  private static int integer(byte[] b, int i, int end) {
    int j = i;
    boolean negative = b[j] == '-';
    if (negative) {
      j++;
    }
    if (j >= end) {
      return -1;
    }
    if (b[j] == '0') {
      j++;
      if (negative || (j < end && isNumberByte(b[j]))) {
        return -1; // -0, 01, 0.5, 0e1
      }
      return j;
    }
    if (b[j] < '1' || b[j] > '9') {
      return -1;
    }
    long v = 0;
    int digits = 0;
    while (j < end && b[j] >= '0' && b[j] <= '9') {
      if (++digits > 16) {
        return -1;
      }
      v = v * 10 + (b[j] - '0');
      j++;
    }
    if (v > MAX_SAFE_INTEGER || (j < end && isNumberByte(b[j]))) {
      return -1;
    }
    return j;
  }

  private static boolean isNumberByte(byte c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
  }

  /**
   * A member name the fast path can order by its bytes: printable ASCII without escapes (for ASCII,
   * byte order is UTF-16 code-unit order). Returns the index of its closing quote, or -1.
   */
  static int key(byte[] b, int i, int end) {
    if (i >= end || b[i] != '"') {
      return -1;
    }
    int j = ByteScan.indexOfStringSpecial(b, i + 1, end);
    return j >= 0 && b[j] == '"' ? j : -1;
  }

  /** Unsigned byte comparison of two keys, negative when the first sorts first. */
  static int compareKeys(byte[] b, int aStart, int aEnd, int bStart, int bEnd) {
    int n = Math.min(aEnd - aStart, bEnd - bStart);
    for (int k = 0; k < n; k++) {
      int d = (b[aStart + k] & 0xFF) - (b[bStart + k] & 0xFF);
      if (d != 0) {
        return d;
      }
    }
    return (aEnd - aStart) - (bEnd - bStart);
  }

  /**
   * A string in its canonical spelling. Returns the index of its closing quote, or -1 when it has a
   * raw control character, an escape that RFC 8785 spells otherwise (an escaped slash, an escaped
   * {@code A}, upper-case hex digits), or bytes that are not well-formed UTF-8 (including encoded
   * surrogates).
   */
  static int string(byte[] b, int i, int end) {
    int j = i + 1;
    while (true) {
      j = ByteScan.indexOfStringSpecial(b, j, end);
      if (j < 0) {
        return -1;
      }
      byte c = b[j];
      if (c == '"') {
        return j;
      }
      if (c == '\\') {
        j = escape(b, j, end);
      } else if (c >= 0) {
        return -1; // a raw control character
      } else {
        j = utf8(b, j, end);
      }
      if (j < 0) {
        return -1;
      }
    }
  }

  /** As {@link #string}, but -1 also when the string has an escape: what the fast path decodes. */
  static int unescapedString(byte[] b, int i, int end) {
    int j = i + 1;
    while (true) {
      j = ByteScan.indexOfStringSpecial(b, j, end);
      if (j < 0) {
        return -1;
      }
      byte c = b[j];
      if (c == '"') {
        return j;
      }
      if (c >= 0) {
        return -1; // an escape or a raw control character
      }
      j = utf8(b, j, end);
      if (j < 0) {
        return -1;
      }
    }
  }

  private static int escape(byte[] b, int j, int end) {
    if (j + 1 >= end) {
      return -1;
    }
    switch (b[j + 1]) {
      case '"', '\\', 'b', 'f', 'n', 'r', 't':
        return j + 2;
      case 'u':
        {
          if (j + 5 >= end || b[j + 2] != '0' || b[j + 3] != '0') {
            return -1;
          }
          int high = b[j + 4] - '0';
          int low = hexLower(b[j + 5]);
          if (high < 0 || high > 1 || low < 0) {
            return -1;
          }
          int c = high * 16 + low;
          // \b \t \n \f \r have their short escapes; everything else below 0x20 is
          // backslash, u, 0, 0 and two lower-case hex digits
          return c == 8 || c == 9 || c == 10 || c == 12 || c == 13 ? -1 : j + 6;
        }
      default:
        return -1;
    }
  }

  private static int hexLower(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }

  /** Index after the well-formed UTF-8 sequence of a non-ASCII character at {@code j}, or -1. */
  private static int utf8(byte[] b, int j, int end) {
    int c = b[j] & 0xFF;
    int n;
    int min = 0x80;
    int max = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) {
        min = 0xA0; // no overlong forms
      } else if (c == 0xED) {
        max = 0x9F; // no surrogates
      }
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) {
        min = 0x90;
      } else if (c == 0xF4) {
        max = 0x8F; // nothing above U+10FFFF
      }
    } else {
      return -1;
    }
    if (j + n >= end) {
      return -1;
    }
    int second = b[j + 1] & 0xFF;
    if (second < min || second > max) {
      return -1;
    }
    for (int k = 2; k <= n; k++) {
      int cont = b[j + k] & 0xFF;
      if (cont < 0x80 || cont > 0xBF) {
        return -1;
      }
    }
    return j + n + 1;
  }
}
