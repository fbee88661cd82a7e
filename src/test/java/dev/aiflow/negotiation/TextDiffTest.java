package dev.aiflow.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextDiffTest {

  static String render(List<TextDiff.Line> diff) {
    StringBuilder sb = new StringBuilder();
    diff.forEach(l -> sb.append(l.op()).append(l.text()).append('\n'));
    return sb.toString();
  }

  @Test
  void aChangedLineIsRemovedThenAddedBetweenItsContext() {
    String before = "a\nb\nc\nd\ne\n";
    String after = "a\nb\nC\nd\ne\n";
    assertThat(render(TextDiff.diff(before, after, 1)))
        .isEqualTo("@1 unchanged line(s)\n b\n-c\n+C\n d\n@1 unchanged line(s)\n");
  }

  @Test
  void nothingBeforeMeansEveryLineIsAdded() {
    List<TextDiff.Line> diff = TextDiff.diff(null, "x\ny", 3);
    assertThat(render(diff)).isEqualTo("+x\n+y\n");
    assertThat(TextDiff.changes(diff)).isTrue();
  }

  @Test
  void identicalTextsFoldIntoOneUnchangedRun() {
    List<TextDiff.Line> diff = TextDiff.diff("a\nb\n", "a\nb", 3);
    assertThat(render(diff)).isEqualTo("@2 unchanged line(s)\n");
    assertThat(TextDiff.changes(diff)).isFalse();
  }

  @Test
  void insertionsAndDeletionsKeepTheOrderOfBothTexts() {
    String before = "# T\n## Goal\nold goal\n## Tasks\n### A-1: x\n";
    String after = "# T\n## Goal\nnew goal\nmore\n## Tasks\n### A-1: x\n### A-2: y\n";
    assertThat(render(TextDiff.diff(before, after, 0)))
        .isEqualTo(
            "@2 unchanged line(s)\n-old goal\n+new goal\n+more\n@2 unchanged line(s)\n+### A-2: y\n");
  }

  @Test
  void windowsLineEndsCompareAsLines() {
    assertThat(TextDiff.changes(TextDiff.diff("a\r\nb\r\n", "a\nb\n", 3))).isFalse();
  }

  @Test
  void aTextTooLongIsRefusedWithItsSize() {
    String big = "x\n".repeat(TextDiff.MAX_LINES + 1);
    assertThatThrownBy(() -> TextDiff.diff(big, "y", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4001 lines");
  }
}
