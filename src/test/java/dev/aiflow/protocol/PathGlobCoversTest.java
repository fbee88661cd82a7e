package dev.aiflow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathGlobCoversTest {

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @CsvSource({
    "src/**, src/a.py, true",
    "src/**, src/a/b/*.py, true",
    "src/, src/a/b.py, true",
    "src/*.py, src/*.py, true",
    "src/*.py, src/a.py, true",
    "src/*, src/**, false",
    "src/a.py, src/*.py, false",
    "src/**, lib/a.py, false",
    "src/**, src, false",
    "**, anything/at/all.txt, true",
    "src/**/test_*.py, src/x/test_a.py, true",
    "src/**/test_*.py, src/x/a.py, false",
    "src/?.py, src/a.py, true",
    "src/?.py, src/*.py, false",
    "tests/, tests/**/*.py, true",
    "README.md, README.md, true",
    "README.md, README.md.bak, false"
  })
  void covers(String outer, String inner, boolean expected) {
    assertThat(PathGlob.covers(outer, inner)).isEqualTo(expected);
  }
}
