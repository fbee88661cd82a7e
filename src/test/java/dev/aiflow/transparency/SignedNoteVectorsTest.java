package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * aiflow's signed-note and checkpoint code against the public vectors of Go's reference
 * implementation (golang.org/x/mod/sumdb/note), transparency-dev/formats and the C2SP specs.
 */
class SignedNoteVectorsTest {

  // golang.org/x/mod/sumdb/note note_test.go
  static final String PETER_VKEY =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String PETER_SKEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String ENOCH_VKEY =
      "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
  static final String TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String PETER_SIG =
      "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  static final String ENOCH_SIG =
      "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

  /** A Go private key ({@code PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>}) as a signer. */
  static NoteSigner goSigner(String skey) throws NoteException {
    String[] parts = skey.split("\\+", 5);
    assertThat(parts[0] + "+" + parts[1]).isEqualTo("PRIVATE+KEY");
    byte[] key = Base64.getDecoder().decode(parts[4]);
    assertThat(key[0]).isEqualTo((byte) 1);
    CheckpointKeys keys = CheckpointKeys.fromSeed(java.util.Arrays.copyOfRange(key, 1, 33));
    VerifierKey vkey = VerifierKey.of(parts[2], keys.publicKey());
    assertThat(String.format("%08x", vkey.keyId())).isEqualTo(parts[3]);
    return keys.signer(vkey);
  }

  static SignedNote open(String msg, String... vkeys) throws NoteException {
    List<VerifierKey> known = new java.util.ArrayList<>();
    for (String v : vkeys) {
      known.add(VerifierKey.parse(v));
    }
    return SignedNote.open(msg.getBytes(StandardCharsets.UTF_8), known);
  }

  @Test
  void goVerifierKeysParseAndEveryManglingIsRefused() throws Exception {
    // TestNewVerifier
    VerifierKey peter = VerifierKey.parse(PETER_VKEY);
    assertThat(peter.name()).isEqualTo("PeterNeumann");
    assertThat(peter.keyId()).isEqualTo(0xc74f20a3);
    assertThat(peter.toString()).isEqualTo(PETER_VKEY);
    byte[] b = PETER_VKEY.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i <= b.length; i++) {
      for (int j = i + 1; j <= b.length; j++) {
        if (i != 0 || j != b.length) {
          String sub = new String(b, i, j - i, StandardCharsets.US_ASCII);
          assertThatThrownBy(() -> VerifierKey.parse(sub))
              .as(sub)
              .isInstanceOf(NoteException.class);
        }
      }
    }
    for (int i = 0; i < b.length; i++) {
      byte[] c = b.clone();
      c[i]++;
      String mangled = new String(c, StandardCharsets.US_ASCII);
      assertThatThrownBy(() -> VerifierKey.parse(mangled))
          .as(mangled)
          .isInstanceOf(NoteException.class);
    }
    // wrong length key, with adjusted key hash; unknown algorithm, with adjusted key hash
    assertThatThrownBy(
            () ->
                VerifierKey.parse(
                    "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="))
        .isInstanceOf(NoteException.class);
    assertThatThrownBy(
            () ->
                VerifierKey.parse(
                    "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .isInstanceOf(NoteException.class);
  }

  @Test
  void signingGivesGosExactSignatureLine() throws Exception {
    // TestSign: Ed25519 is deterministic, so the whole signed note is fixed
    NoteSigner signer = goSigner(PETER_SKEY);
    assertThat(signer.verifier().toString()).isEqualTo(PETER_VKEY);
    assertThat(signer.sign(TEXT)).isEqualTo(TEXT + "\n" + PETER_SIG);
    assertThatThrownBy(() -> signer.sign("abc")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void goKeyPairsDeriveTheirPublishedVerifierKeys() throws Exception {
    // github.com/transparency-dev/formats log/note_test.go: key pairs made by note.GenerateKey
    String[][] pairs = {
      {
        "PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ",
        "Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs"
      },
      {
        "PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci",
        "Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH"
      },
      {
        "PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+",
        "KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj"
      },
      {
        "PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU",
        "Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots"
      },
    };
    for (String[] p : pairs) {
      NoteSigner signer = goSigner(p[0]);
      assertThat(signer.verifier().toString()).isEqualTo(p[1]);
      String note = signer.sign("Log\n123\nYmFuYW5hcw==\n");
      assertThat(open(note, p[1]).verified()).hasSize(1);
    }
  }

  @Test
  void goSignedNotesOpenAsTheReferenceOpensThem() throws Exception {
    // TestOpen
    SignedNote one = open(TEXT + "\n" + PETER_SIG + ENOCH_SIG, PETER_VKEY);
    assertThat(one.text()).isEqualTo(TEXT);
    assertThat(one.verified())
        .extracting(SignedNote.Signature::name)
        .containsExactly("PeterNeumann");
    assertThat(one.unverified())
        .extracting(SignedNote.Signature::name)
        .containsExactly("EnochRoot");

    SignedNote both = open(TEXT + "\n" + PETER_SIG + ENOCH_SIG, PETER_VKEY, ENOCH_VKEY);
    assertThat(both.verified())
        .extracting(SignedNote.Signature::keyId)
        .containsExactly(0xc74f20a3, 0xaf0cfe78);
    assertThat(both.unverified()).isEmpty();

    assertThatThrownBy(() -> open(TEXT + "\n" + PETER_SIG + ENOCH_SIG))
        .hasMessage("note has no verifiable signatures");
    assertThatThrownBy(() -> open(TEXT + "\n" + PETER_SIG.repeat(101), PETER_VKEY))
        .hasMessage("malformed note");
    String badSig = PETER_SIG.substring(0, 60) + "ABCD" + PETER_SIG.substring(60);
    assertThatThrownBy(() -> open(TEXT + "\n" + badSig, PETER_VKEY))
        .hasMessage("invalid signature for key PeterNeumann+c74f20a3");

    // duplicated verified and unverified signatures
    String enochAbcd = ENOCH_SIG.substring(0, 60) + "ABCD" + ENOCH_SIG.substring(60);
    SignedNote dup =
        open(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enochAbcd, PETER_VKEY);
    assertThat(dup.verified()).hasSize(1);
    assertThat(dup.unverified()).hasSize(2);

    for (String bad :
        List.of(
            TEXT,
            TEXT + "\n",
            TEXT + "\n" + PETER_SIG.substring(0, PETER_SIG.length() - 1),
            "\u0001" + TEXT + "\n" + PETER_SIG,
            TEXT
                + "\n"
                + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
            TEXT + "\n" + PETER_SIG + "Unexpected line.\n")) {
      assertThatThrownBy(() -> open(bad, PETER_VKEY)).as(bad).hasMessage("malformed note");
    }
    byte[] notUtf8 = ("\u00ff" + TEXT + "\n" + PETER_SIG).getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> SignedNote.open(notUtf8, List.of(VerifierKey.parse(PETER_VKEY))))
        .hasMessage("malformed note");

    // a signature under another key's name, or with another id, is not this key's
    String misnamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego");
    assertThatThrownBy(() -> open(TEXT + "\n" + misnamed, PETER_VKEY))
        .hasMessage("note has no verifiable signatures");
  }

  @Test
  void aRealSumGolangOrgCheckpointVerifies() throws Exception {
    // github.com/transparency-dev/formats log/note_test.go TestSumDBNoteParsing: a checkpoint of
    // the Go checksum database, signed by its published key
    String vkey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
    String note =
        "go.sum database tree\n"
            + "6476701\n"
            + "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
            + "\n"
            + "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n";
    SignedNote opened = open(note, vkey);
    Checkpoint cp = Checkpoint.parse(opened.text());
    assertThat(cp.origin()).isEqualTo("go.sum database tree");
    assertThat(cp.size()).isEqualTo(6476701);
    assertThat(cp.rootBase64()).isEqualTo("mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=");
    String tampered = note.replace("6476701", "6476702");
    assertThatThrownBy(() -> open(tampered, vkey))
        .hasMessage("invalid signature for key sum.golang.org+033de0ae");
  }

  @Test
  void checkpointBodiesParseAsTheReferenceParsesThem() throws Exception {
    // the C2SP tlog-checkpoint specification's example
    Checkpoint sofa =
        Checkpoint.parse(
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    assertThat(sofa.origin()).isEqualTo("example.com/behind-the-sofa");
    assertThat(sofa.size()).isEqualTo(20852163);
    assertThat(sofa.body())
        .isEqualTo(
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    // golang.org/x/mod/sumdb/tlog note_test.go TestParseTree
    Checkpoint go =
        Checkpoint.parse(
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n");
    assertThat(go.root())
        .isEqualTo(Rfc6962.leafHash("hello world".getBytes(StandardCharsets.UTF_8)));
    // extension lines are kept (transparency-dev/formats checkpoint_test.go "trailing data")
    Checkpoint ext =
        Checkpoint.parse(
            "Log\n9944\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\nlots\nof\nlines\n");
    assertThat(ext.extensions()).containsExactly("lots", "of", "lines");
    for (String bad :
        List.of(
            "Head\n9944\n",
            "\n9944\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "Log\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",
            "Log\nbananas\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "Log\n-34\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "Log\n0123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "Log\n3438945738945739845734895735\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "Log\n123\nThisIsn'tBase64\n",
            "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")) {
      assertThatThrownBy(() -> Checkpoint.parse(bad)).as(bad).isInstanceOf(NoteException.class);
    }
  }

  @Test
  void theSignedNoteSpecExampleParsesWithItsUnicodeText() throws Exception {
    // the C2SP signed-note specification's example; its key is not published, so the note parses
    // but cannot verify
    String note =
        "Ognuno sta solo sul cuor della terra\n"
            + "trafitto da un raggio di sole:\n"
            + "\n"
            + "ed è subito sera.\n"
            + "\n"
            + "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    assertThat(SignedNote.unverifiedText(note.getBytes(StandardCharsets.UTF_8)))
        .endsWith("ed è subito sera.\n")
        .contains("\n\n");
    assertThatThrownBy(() -> open(note, PETER_VKEY))
        .hasMessage("note has no verifiable signatures");
  }
}
