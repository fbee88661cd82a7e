package dev.aiflow.protocol;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The glob dialect of {@code allowed_paths}: {@code *} matches within one path segment, {@code **}
 * across segments (including none: {@code src/**}{@code /*.py} matches {@code src/a.py}), {@code ?}
 * one character; a pattern ending in {@code /} names a folder and everything below it. Matching is
 * case-sensitive and applies to normalised workspace-relative paths.
 */
public final class PathGlob {

  private final String glob;
  private final Pattern regex;

  private PathGlob(String glob) {
    this.glob = glob;
    this.regex = Pattern.compile(toRegex(glob));
  }

  public static PathGlob of(String glob) {
    return new PathGlob(glob);
  }

  public boolean matches(String normalisedPath) {
    return regex.matcher(normalisedPath).matches();
  }

  /** Whether any of the globs matches the path. */
  public static boolean anyMatches(List<String> globs, String normalisedPath) {
    for (String g : globs) {
      if (of(g).matches(normalisedPath)) {
        return true;
      }
    }
    return false;
  }

  /** The part of the glob before its first wildcard: where to start walking for matches. */
  public String literalPrefix() {
    int cut = glob.length();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' || c == '?') {
        cut = i;
        break;
      }
    }
    String prefix = glob.substring(0, cut);
    int slash = prefix.lastIndexOf('/');
    return cut == glob.length() ? prefix : (slash < 0 ? "" : prefix.substring(0, slash));
  }

  @Override
  public String toString() {
    return glob;
  }

  static String toRegex(String glob) {
    String g = glob.endsWith("/") ? glob + "**" : glob;
    StringBuilder r = new StringBuilder();
    int i = 0;
    while (i < g.length()) {
      char c = g.charAt(i);
      if (c == '*') {
        boolean doubleStar = i + 1 < g.length() && g.charAt(i + 1) == '*';
        if (doubleStar) {
          boolean slashAfter = i + 2 < g.length() && g.charAt(i + 2) == '/';
          boolean atSegmentStart = i == 0 || g.charAt(i - 1) == '/';
          if (slashAfter && atSegmentStart) {
            r.append("(?:[^/]+/)*"); // "**/": any number of folders, including none
            i += 3;
          } else {
            r.append(".*");
            i += 2;
          }
        } else {
          r.append("[^/]*");
          i++;
        }
      } else if (c == '?') {
        r.append("[^/]");
        i++;
      } else {
        r.append(Pattern.quote(String.valueOf(c)));
        i++;
      }
    }
    return r.toString();
  }

  /**
   * Whether every path {@code inner} can match is also matched by {@code outer}: the test that an
   * allowed path lies inside a frozen boundary. Conservative: a wildcard of {@code inner} is only
   * covered by a wildcard of {@code outer} at least as wide ({@code **} only by {@code **}).
   */
  public static boolean covers(String outer, String inner) {
    return covers(segments(outer), 0, segments(inner), 0);
  }

  private static String[] segments(String glob) {
    String g = glob.endsWith("/") ? glob + "**" : glob;
    return g.split("/", -1);
  }

  private static boolean covers(String[] o, int i, String[] p, int j) {
    if (i == o.length) {
      return j == p.length;
    }
    if (o[i].equals("**")) {
      if (i == o.length - 1) {
        return j < p.length; // a trailing ** needs something below the folder, as in matches()
      }
      return covers(o, i + 1, p, j) || (j < p.length && covers(o, i, p, j + 1));
    }
    if (j == p.length || p[j].equals("**")) {
      return false;
    }
    return segmentCovers(o[i], 0, p[j], 0) && covers(o, i + 1, p, j + 1);
  }

  /** Within one segment: {@code *} of outer takes any run of inner, wildcards included. */
  private static boolean segmentCovers(String o, int i, String p, int j) {
    if (i == o.length()) {
      return j == p.length();
    }
    char c = o.charAt(i);
    if (c == '*') {
      for (int k = j; k <= p.length(); k++) {
        if (segmentCovers(o, i + 1, p, k)) {
          return true;
        }
      }
      return false;
    }
    if (j == p.length()) {
      return false;
    }
    char d = p.charAt(j);
    if (c == '?') {
      return d != '*' && segmentCovers(o, i + 1, p, j + 1);
    }
    return c == d && segmentCovers(o, i + 1, p, j + 1);
  }
}
