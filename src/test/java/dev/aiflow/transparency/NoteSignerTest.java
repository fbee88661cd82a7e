package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The signer writes the signature the JDK's Ed25519 would, byte for byte (RFC 8032 signatures are
 * deterministic), for many keys and texts, and the JDK verifies every note it signs.
 */
class NoteSignerTest {

  @Test
  void signsExactlyAsTheJdkDoes() throws Exception {
    // fixed seeds: a failure names a key that can be made again
    Random random = new Random(8032);
    for (int k = 0; k < 20; k++) {
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      PrivateKey jdkKey =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
      CheckpointKeys keys = CheckpointKeys.fromSeed(seed);
      VerifierKey name = keys.verifierKey("p" + k);
      NoteSigner signer = keys.signer("p" + k);
      for (int m = 0; m < 10; m++) {
        String text = text(random, m);
        String note = signer.sign(text);

        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initSign(jdkKey);
        jdk.update(text.getBytes(StandardCharsets.UTF_8));
        byte[] expected = ByteBuffer.allocate(68).putInt(name.keyId()).put(jdk.sign()).array();
        assertThat(note)
            .as("key %d (seed %s), note %d", k, HexFormat.of().formatHex(seed), m)
            .isEqualTo(
                text
                    + "\n"
                    + SignedNote.SIG_PREFIX
                    + name.name()
                    + " "
                    + Base64.getEncoder().encodeToString(expected)
                    + "\n");
        assertThat(SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(name)).text())
            .isEqualTo(text);
      }
    }
  }

  @Test
  void aSignatureByAnotherPrivateKeyUnderTheSameNameDoesNotOpen() throws Exception {
    CheckpointKeys one = CheckpointKeys.generate();
    VerifierKey name = one.verifierKey("p");
    byte[] other = new byte[32];
    new Random(25519).nextBytes(other);
    PrivateKey impostor =
        KeyFactory.getInstance("Ed25519")
            .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, other));
    // the same name and key id as the real key: only the signature itself can tell
    String note = new NoteSigner(name, impostor).sign("origin\n1\nAAAA\n");
    assertThatThrownBy(() -> SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(name)))
        .isInstanceOf(NoteException.class);
  }

  @Test
  void aNoteSignedWithAnotherKeyDoesNotOpen() throws Exception {
    CheckpointKeys one = CheckpointKeys.generate();
    CheckpointKeys other = CheckpointKeys.generate();
    String note = one.signer("p").sign("origin\n1\nAAAA\n");
    byte[] bytes = note.getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> SignedNote.open(bytes, List.of(other.verifierKey("p"))))
        .isInstanceOf(NoteException.class);
    // one bit of the text changed: the signature no longer holds
    byte[] flipped = Arrays.copyOf(bytes, bytes.length);
    flipped[0] ^= 1;
    assertThatThrownBy(() -> SignedNote.open(flipped, List.of(one.verifierKey("p"))))
        .isInstanceOf(NoteException.class);
  }

  /** A checkpoint-like text: lines of printable ASCII and some UTF-8, ending in a newline. */
  private static String text(Random random, int m) {
    StringBuilder b = new StringBuilder("example.org/log/").append(m).append('\n');
    int lines = 1 + random.nextInt(4);
    for (int i = 0; i < lines; i++) {
      int n = 1 + random.nextInt(80);
      for (int j = 0; j < n; j++) {
        b.append(j % 17 == 16 ? 'é' : (char) ('!' + random.nextInt(94)));
      }
      b.append('\n');
    }
    return b.toString();
  }
}
