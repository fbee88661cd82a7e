package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.Base64;
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
    Random random = new Random(8032);
    for (int k = 0; k < 20; k++) {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
      CheckpointKeys keys = CheckpointKeys.fromSeed(seed);
      VerifierKey name = keys.verifierKey("p" + k);
      NoteSigner signer = keys.signer("p" + k);
      for (int m = 0; m < 10; m++) {
        String text = text(random, m);
        String note = signer.sign(text);

        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initSign(pair.getPrivate());
        jdk.update(text.getBytes(StandardCharsets.UTF_8));
        byte[] expected = ByteBuffer.allocate(68).putInt(name.keyId()).put(jdk.sign()).array();
        assertThat(note)
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
  void aNoteSignedWithAnotherKeyDoesNotOpen() throws Exception {
    CheckpointKeys one = CheckpointKeys.generate();
    CheckpointKeys other = CheckpointKeys.generate();
    String note = one.signer("p").sign("origin\n1\nAAAA\n");
    byte[] bytes = note.getBytes(StandardCharsets.UTF_8);
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SignedNote.open(bytes, List.of(other.verifierKey("p")))))
        .isInstanceOf(NoteException.class);
    // one bit of the text changed: the signature no longer holds
    byte[] flipped = Arrays.copyOf(bytes, bytes.length);
    flipped[0] ^= 1;
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SignedNote.open(flipped, List.of(one.verifierKey("p")))))
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
