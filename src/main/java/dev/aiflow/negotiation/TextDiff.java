package dev.aiflow.negotiation;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff of two texts, as an approver reads it: each line of the new text or the old one,
 * marked {@code ' '} (unchanged), {@code '+'} (added) or {@code '-'} (removed), in the order of a
 * unified diff, with unchanged runs longer than the context folded into one {@code '@'} line. A
 * longest-common-subsequence diff; texts over {@value #MAX_LINES} lines are not diffed (a task
 * brief is a few hundred lines).
 */
public final class TextDiff {

  /** The most lines either side may have. */
  public static final int MAX_LINES = 4000;

  /** One line of the diff: {@code op} is ' ', '+', '-' or '@' (a folded unchanged run). */
  public record Line(char op, String text) {}

  private TextDiff() {}

  /**
   * The diff of {@code before} to {@code after}; {@code before} null means there was nothing (every
   * line is added).
   *
   * @param context unchanged lines kept around each change (the rest is folded)
   * @throws IllegalArgumentException when a side has more than {@value #MAX_LINES} lines
   */
  public static List<Line> diff(String before, String after, int context) {
    List<String> a = before == null ? List.of() : lines(before);
    List<String> b = lines(after == null ? "" : after);
    if (a.size() > MAX_LINES || b.size() > MAX_LINES) {
      throw new IllegalArgumentException(
          "too long to diff ("
              + Math.max(a.size(), b.size())
              + " lines, at most "
              + MAX_LINES
              + ")");
    }
    int n = a.size();
    int m = b.size();
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..]
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] =
            a.get(i).equals(b.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<Line> all = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a.get(i).equals(b.get(j))) {
        all.add(new Line(' ', a.get(i)));
        i++;
        j++;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        // a removal before the addition that replaces it, as unified diffs read
        all.add(new Line('-', a.get(i)));
        i++;
      } else {
        all.add(new Line('+', b.get(j)));
        j++;
      }
    }
    return fold(all, Math.max(0, context));
  }

  /** Whether a diff changes anything. */
  public static boolean changes(List<Line> diff) {
    return diff.stream().anyMatch(l -> l.op() == '+' || l.op() == '-');
  }

  private static List<Line> fold(List<Line> all, int context) {
    boolean[] keep = new boolean[all.size()];
    for (int k = 0; k < all.size(); k++) {
      if (all.get(k).op() != ' ') {
        for (int c = Math.max(0, k - context); c <= Math.min(all.size() - 1, k + context); c++) {
          keep[c] = true;
        }
      }
    }
    List<Line> out = new ArrayList<>();
    int folded = 0;
    for (int k = 0; k < all.size(); k++) {
      if (keep[k]) {
        if (folded > 0) {
          out.add(new Line('@', folded + " unchanged line(s)"));
          folded = 0;
        }
        out.add(all.get(k));
      } else {
        folded++;
      }
    }
    if (folded > 0) {
      out.add(new Line('@', folded + " unchanged line(s)"));
    }
    return out;
  }

  private static List<String> lines(String text) {
    if (text.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    if (out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1); // the final newline ends the last line, it adds none
    }
    return out;
  }
}
