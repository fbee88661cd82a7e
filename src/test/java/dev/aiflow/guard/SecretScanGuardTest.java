package dev.aiflow.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No credentials in tracked files: a pattern scan of what git tracks (or of the working tree,
 * without build output, when git is not there). A finding names the file, the line and the kind,
 * never the secret.
 */
class SecretScanGuardTest {

  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", "data", ".mvn");

  /** Kind, pattern. Tuned to real token shapes, so prose about secrets does not trip it. */
  static final List<Object[]> PATTERNS =
      List.of(
          new Object[] {
            "private key", Pattern.compile("-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----")
          },
          new Object[] {"AWS access key", Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b")},
          new Object[] {"GitHub token", Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{36,}\\b")},
          new Object[] {"Slack token", Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{10,}")},
          new Object[] {
            "OpenAI/Anthropic key", Pattern.compile("\\bsk-(?:ant-)?[A-Za-z0-9_-]{32,}")
          },
          new Object[] {"Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}\\b")},
          new Object[] {
            "password literal",
            Pattern.compile(
                "(?i)\\b(?:password|passwd|secret|api[_-]?key|token)\\b\\s*[:=]\\s*[\"']([^\"'\\s$<{]{12,})[\"']")
          },
          new Object[] {
            "credentials in a URL",
            Pattern.compile("[a-z][a-z0-9+.-]*://[^/\\s:@]+:[^/\\s:@${}]{6,}@[^\\s]+")
          });

  @Test
  void noTrackedFileHoldsACredential() throws Exception {
    List<String> findings = new ArrayList<>();
    List<Path> files = trackedFiles();
    assertThat(files).as("files scanned").hasSizeGreaterThan(100);
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      if (bytes.length > 2_000_000 || binary(bytes)) {
        continue;
      }
      String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        for (Object[] p : PATTERNS) {
          Matcher m = ((Pattern) p[1]).matcher(lines[i]);
          if (m.find()) {
            findings.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + p[0]);
          }
        }
      }
    }
    assertThat(findings).as("possible credentials in tracked files").isEmpty();
  }

  @Test
  void theScanCatchesWhatItIsFor() {
    String aws = "aws_key = AKIA" + "ABCDEFGHIJKLMNOP";
    String pem = "-----BEGIN " + "RSA PRIVATE KEY-----";
    String pw = "password: \"correct-horse-battery\"";
    String url = "jdbc:postgresql://" + "aiflow:s3cretpass@db/aiflow";
    for (String line : List.of(aws, pem, pw, url)) {
      assertThat(PATTERNS.stream().anyMatch(p -> ((Pattern) p[1]).matcher(line).find()))
          .as(line)
          .isTrue();
    }
    for (String fine :
        List.of(
            "password: ${AIFLOW_DB_PASSWORD}", "password: \"\"", "the secret is kept in data/")) {
      assertThat(PATTERNS.stream().noneMatch(p -> ((Pattern) p[1]).matcher(fine).find()))
          .as(fine)
          .isTrue();
    }
  }

  static List<Path> trackedFiles() throws IOException, InterruptedException {
    try {
      Process git =
          new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
              .directory(ROOT.toFile())
              .redirectErrorStream(false)
              .start();
      byte[] out = git.getInputStream().readAllBytes();
      if (git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0 && out.length > 0) {
        List<Path> files = new ArrayList<>();
        for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
          Path p = ROOT.resolve(name);
          if (!name.isEmpty() && Files.isRegularFile(p)) {
            files.add(p);
          }
        }
        return files;
      }
    } catch (IOException noGit) {
      // not a git checkout: walk the tree below
    }
    try (Stream<Path> s = Files.walk(ROOT)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> ROOT.relativize(p).toString().split("/").length > 0)
          .filter(
              p -> {
                for (Path part : ROOT.relativize(p)) {
                  if (SKIPPED_DIRS.contains(part.toString())) {
                    return false;
                  }
                }
                return true;
              })
          .toList();
    }
  }

  static boolean binary(byte[] bytes) {
    for (int i = 0; i < Math.min(bytes.length, 8000); i++) {
      if (bytes[i] == 0) {
        return true;
      }
    }
    return false;
  }
}
