package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installation's signing key: generated owner-only, reloaded, loaded from a configured file.
 */
class CheckpointKeysTest {

  @TempDir Path data;

  @Test
  void theFirstUseGeneratesAnOwnerOnlyKeyThatLaterUsesReload() throws Exception {
    Path file = data.resolve(CheckpointKeys.DEFAULT_FILE);
    CheckpointKeys first = CheckpointKeys.resolve(data, null);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.readString(file)).startsWith("-----BEGIN " + "PRIVATE KEY-----\n");
    try (var leftovers = Files.list(file.getParent())) {
      assertThat(leftovers.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains(".tmp-"));
    }
    CheckpointKeys again = CheckpointKeys.resolve(data, null);
    assertThat(again.verifierKey("p")).isEqualTo(first.verifierKey("p"));
    assertThat(again.installationId()).isEqualTo(first.installationId());
    assertThat(first.toString()).doesNotContain(Files.readString(file).substring(28, 60));
    // one key per installation, one log name per project
    assertThat(first.verifierKey("a").name()).isNotEqualTo(first.verifierKey("b").name());
    assertThat(first.verifierKey("a").publicKey()).isEqualTo(first.verifierKey("b").publicKey());
  }

  @Test
  void aConfiguredKeyMustExistAndBeAnEd25519Key() throws Exception {
    Path missing = data.resolve("nope.pem");
    assertThatThrownBy(() -> CheckpointKeys.resolve(data, missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no checkpoint signing key at");
    assertThat(data.resolve("secrets")).doesNotExist();
    Path garbage = data.resolve("garbage.pem");
    Files.writeString(
        garbage,
        "-----BEGIN " + "PRIVATE KEY-----\nbm90IGEga2V5\n-----END " + "PRIVATE KEY-----\n");
    assertThatThrownBy(() -> CheckpointKeys.load(garbage))
        .hasMessageContaining("is not an Ed25519 private key")
        .hasMessageNotContaining("bm90IGEga2V5");
    Files.writeString(garbage, "hello");
    assertThatThrownBy(() -> CheckpointKeys.load(garbage)).hasMessageContaining("not a PEM");
  }

  @Test
  void aPkcs8KeyLoadsWithTheRfc8032PublicKey() throws Exception {
    // RFC 8032 section 7.1, TEST 1: the private key and its public key
    byte[] seed =
        HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    byte[] der =
        HexFormat.of()
            .parseHex("302e020100300506032b657004220420" + HexFormat.of().formatHex(seed));
    Path file = data.resolve("configured.pem");
    Files.writeString(
        file,
        "-----BEGIN "
            + "PRIVATE KEY-----\n"
            + Base64.getEncoder().encodeToString(der)
            + "\n-----END "
            + "PRIVATE KEY-----\n");
    CheckpointKeys keys = CheckpointKeys.resolve(data, file);
    assertThat(HexFormat.of().formatHex(keys.publicKey()))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    VerifierKey vkey = keys.verifierKey("demo");
    String note = keys.signer("demo").sign("x\n");
    assertThat(SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(vkey)).verified())
        .hasSize(1);
    assertThat(VerifierKey.parse(vkey.toString())).isEqualTo(vkey);
    assertThat(data.resolve("secrets")).doesNotExist();
  }
}
