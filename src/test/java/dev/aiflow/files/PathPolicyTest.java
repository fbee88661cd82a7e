package dev.aiflow.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A workspace on the remote workers' machines: checked by the rules, never required here. */
class PathPolicyTest {

  @TempDir Path root;

  PathPolicy policy() throws Exception {
    Path data = Files.createDirectories(root.resolve("data"));
    Files.writeString(Files.createDirectories(data.resolve("secrets")).resolve("key"), "k");
    return PathPolicy.of(List.of(root), List.of(data.resolve("secrets")));
  }

  @Test
  void aFolderOnlyTheWorkerHasPassesAsGiven() throws Exception {
    PathPolicy p = policy();
    Path there = root.resolve("ws/./project");
    assertThat(p.remoteWorkspace("workspace", there.toString()))
        .isEqualTo(root.resolve("ws/project"));
    assertThat(Files.exists(root.resolve("ws"))).as("nothing created").isFalse();
    assertThatThrownBy(() -> p.workspace("workspace", there.toString()))
        .isInstanceOf(PathRefusedException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void theServersLinksAreCheckedButNotHandedOn() throws Exception {
    PathPolicy p = policy();
    Path real = Files.createDirectories(root.resolve("real"));
    Path link = Files.createSymbolicLink(root.resolve("link"), real);
    assertThat(p.remoteWorkspace("workspace", link.toString())).isEqualTo(link);
    Path out = Files.createSymbolicLink(root.resolve("out"), Path.of("/etc"));
    assertThatThrownBy(() -> p.remoteWorkspace("workspace", out.resolve("ws").toString()))
        .isInstanceOf(PathRefusedException.class)
        .hasMessageContaining("outside the folders");
  }

  @Test
  void aPrivatePathOrAFolderHoldingOneIsNoWorkspaceAnywhere() throws Exception {
    PathPolicy p = policy();
    for (String raw :
        List.of(
            root.resolve("data").toString(),
            root.toString(),
            root.resolve("data/secrets/inner").toString())) {
      assertThatThrownBy(() -> p.remoteWorkspace("workspace", raw))
          .as(raw)
          .isInstanceOf(PathRefusedException.class)
          .hasMessageContaining("private");
    }
    Path file = Files.writeString(root.resolve("a-file"), "x");
    assertThatThrownBy(() -> p.remoteWorkspace("workspace", file.toString()))
        .isInstanceOf(PathRefusedException.class)
        .hasMessageContaining("not a folder");
    assertThatThrownBy(() -> p.remoteWorkspace("workspace", "/elsewhere/ws"))
        .isInstanceOf(PathRefusedException.class)
        .hasMessageContaining("outside the folders");
  }
}
