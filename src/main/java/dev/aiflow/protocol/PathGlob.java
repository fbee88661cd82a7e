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
}
