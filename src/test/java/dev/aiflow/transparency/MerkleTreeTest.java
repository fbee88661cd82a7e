package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6962 hashing and proofs against published vectors, and against a naive tree. */
class MerkleTreeTest {

  static final HexFormat HEX = HexFormat.of();

  static byte[] h(String hex) {
    return HEX.parseHex(hex);
  }

  static byte[] b64(String s) {
    return Base64.getDecoder().decode(s);
  }

  // ---------------------------------------------------------------- transparency-dev vectors

  // github.com/transparency-dev/merkle rfc6962/rfc6962_test.go, TestRFC6962Hasher
  @Test
  void theHasherMatchesTheReferenceVectors() {
    assertThat(HEX.formatHex(Rfc6962.emptyRoot()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(HEX.formatHex(Rfc6962.leafHash(new byte[0])))
        .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    assertThat(HEX.formatHex(Rfc6962.leafHash("L123456".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
    assertThat(
            HEX.formatHex(
                Rfc6962.nodeHash(
                    "N123".getBytes(StandardCharsets.US_ASCII),
                    "N456".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
  }

  // golang.org/x/mod/sumdb/tlog note_test.go, TestFormatTree: RecordHash("hello world")
  @Test
  void aLeafHashMatchesGosRecordHash() {
    assertThat(
            Base64.getEncoder()
                .encodeToString(
                    Rfc6962.leafHash("hello world".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=");
  }

  // github.com/transparency-dev/merkle proof/verify_test.go: leaves, roots, proofs
  static final byte[][] LEAVES = {
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
  };

  static final String[] ROOTS = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };

  static MerkleTree eightLeaves() {
    MerkleTree t = new MerkleTree();
    for (byte[] leaf : LEAVES) {
      t.appendLeaf(leaf, 0, leaf.length);
    }
    return t;
  }

  @Test
  void theRootsOfOneToEightLeavesAreTheReferenceRoots() {
    MerkleTree t = eightLeaves();
    for (int n = 1; n <= 8; n++) {
      assertThat(HEX.formatHex(t.root(n))).as("root of %d leaves", n).isEqualTo(ROOTS[n - 1]);
    }
    assertThat(t.root(0)).isEqualTo(Rfc6962.emptyRoot());
  }

  /** leaf (1-based), size, the audit path in hex. */
  @ParameterizedTest(name = "inclusion of leaf {0} in {1}")
  @CsvSource({
    "1, 1, ''",
    "1, 8, 96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
        + " 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
        + " 6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "6, 8, bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
        + " ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
        + " d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "3, 3, fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "2, 5, 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        + " 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
        + " bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  })
  void inclusionProofsAreTheReferenceProofs(int leaf, int size, String path) {
    MerkleTree t = eightLeaves();
    List<byte[]> expected = hashes(path);
    List<byte[]> proof = t.inclusionProof(leaf - 1, size);
    assertThat(proof).usingElementComparator(java.util.Arrays::compare).isEqualTo(expected);
    byte[] leafHash = Rfc6962.leafHash(LEAVES[leaf - 1]);
    byte[] root = h(ROOTS[size - 1]);
    assertThat(Proofs.verifyInclusion(leaf - 1, size, leafHash, proof, root)).isTrue();
    // the probes of verify_test.go's corruptInclusionProof
    assertThat(Proofs.verifyInclusion(leaf - 2, size, leafHash, proof, root)).isFalse();
    assertThat(Proofs.verifyInclusion(leaf, size, leafHash, proof, root)).isFalse();
    assertThat(Proofs.verifyInclusion((leaf - 1) ^ 2, size, leafHash, proof, root)).isFalse();
    assertThat(Proofs.verifyInclusion(leaf - 1, size * 2L, leafHash, proof, root)).isFalse();
    assertThat(Proofs.verifyInclusion(leaf - 1, size / 2, leafHash, proof, root)).isFalse();
    assertThat(Proofs.verifyInclusion(leaf - 1, size, Rfc6962.leafHash(h("ff")), proof, root))
        .isFalse();
    assertThat(Proofs.verifyInclusion(leaf - 1, size, leafHash, proof, Rfc6962.emptyRoot()))
        .isFalse();
    assertThat(Proofs.verifyInclusion(leaf - 1, size, leafHash, with(proof, root), root)).isFalse();
    assertThat(Proofs.verifyInclusion(leaf - 1, size, leafHash, withFirst(root, proof), root))
        .isFalse();
    for (int i = 0; i < proof.size(); i++) {
      assertThat(Proofs.verifyInclusion(leaf - 1, size, leafHash, flip(proof, i), root))
          .as("proof[%d] with a bit flipped", i)
          .isFalse();
    }
    if (!proof.isEmpty()) {
      assertThat(
              Proofs.verifyInclusion(
                  leaf - 1, size, leafHash, proof.subList(0, proof.size() - 1), root))
          .isFalse();
    }
  }

  /** size1, size2, the proof in hex. */
  @ParameterizedTest(name = "consistency from {0} to {1}")
  @CsvSource({
    "1, 1, ''",
    "1, 8, 96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
        + " 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
        + " 6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "6, 8, 0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
        + " ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
        + " d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "2, 5, 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
        + " bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "6, 7, 0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
        + " b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"
        + " d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  })
  void consistencyProofsAreTheReferenceProofs(int size1, int size2, String path) {
    MerkleTree t = eightLeaves();
    List<byte[]> expected = hashes(path);
    List<byte[]> proof = t.consistencyProof(size1, size2);
    assertThat(proof).usingElementComparator(java.util.Arrays::compare).isEqualTo(expected);
    byte[] root1 = h(ROOTS[size1 - 1]);
    byte[] root2 = h(ROOTS[size2 - 1]);
    assertThat(Proofs.verifyConsistency(size1, size2, proof, root1, root2)).isTrue();
    if (proof.isEmpty()) {
      return;
    }
    // the probes of verify_test.go's corruptConsistencyProof
    assertThat(Proofs.verifyConsistency(size1 - 1, size2, proof, root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1 + 1, size2, proof, root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1 ^ 2, size2, proof, root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2 * 2L, proof, root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2 / 2, proof, root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2, proof, root2, root1)).isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2, List.of(), root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2, with(proof, root1), root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2, with(proof, root2), root1, root2)).isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2, withFirst(root1, proof), root1, root2))
        .isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2, withFirst(root2, proof), root1, root2))
        .isFalse();
    assertThat(Proofs.verifyConsistency(size1, size2, withFirst(proof.get(0), proof), root1, root2))
        .isFalse();
    assertThat(
            Proofs.verifyConsistency(
                size1, size2, proof.subList(0, proof.size() - 1), root1, root2))
        .isFalse();
    for (int i = 0; i < proof.size(); i++) {
      assertThat(Proofs.verifyConsistency(size1, size2, flip(proof, i), root1, root2))
          .as("proof[%d] with a bit flipped", i)
          .isFalse();
    }
  }

  @Test
  void trivialConsistencyCases() {
    byte[] r1 = h(ROOTS[0]);
    byte[] r2 = h(ROOTS[1]);
    // verify_test.go TestVerifyConsistency: sizes that are always consistent, and time travel
    assertThat(Proofs.verifyConsistency(0, 1, List.of(), r1, r2)).isTrue();
    assertThat(Proofs.verifyConsistency(1, 1, List.of(), r2, r2)).isTrue();
    assertThat(Proofs.verifyConsistency(1, 1, List.of(), r1, r2)).isFalse();
    assertThat(Proofs.verifyConsistency(1, 0, List.of(), r1, r2)).isFalse();
    assertThat(Proofs.verifyConsistency(2, 1, List.of(), r1, r2)).isFalse();
    assertThat(Proofs.verifyConsistency(1, 2, List.of(), r1, r2)).isFalse();
    assertThat(Proofs.verifyConsistency(1, 1, List.of(Rfc6962.emptyRoot()), r1, r1)).isFalse();
  }

  // ---------------------------------------------------------------- a real CT log

  // golang.org/x/mod/sumdb/tlog ct_test.go: Google's Argon 2020 log, tree of 961,984,013 leaves
  @Test
  void provesFromARealCertificateTransparencyLogVerify() throws Exception {
    JsonNode sth = json("sth.json");
    long size = sth.get("tree_size").asLong();
    byte[] root = b64(sth.get("sha256_root_hash").asText());
    byte[] leaf = b64(json("entries.json").get("entries").get(0).get("leaf_input").asText());
    JsonNode proof = json("proof.json");
    List<byte[]> path = new ArrayList<>();
    proof.get("audit_path").forEach(n -> path.add(b64(n.asText())));
    long index = proof.get("leaf_index").asLong();
    assertThat(Proofs.verifyInclusion(index, size, Rfc6962.leafHash(leaf), path, root)).isTrue();
    assertThat(Proofs.verifyInclusion(index + 1, size, Rfc6962.leafHash(leaf), path, root))
        .isFalse();

    List<byte[]> consistency = new ArrayList<>();
    json("consistency.json").get("consistency").forEach(n -> consistency.add(b64(n.asText())));
    byte[] oldRoot = b64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=");
    assertThat(Proofs.verifyConsistency(3654490, size, consistency, oldRoot, root)).isTrue();
    assertThat(Proofs.verifyConsistency(3654491, size, consistency, oldRoot, root)).isFalse();
    assertThat(Proofs.verifyConsistency(3654490, size, flip(consistency, 3), oldRoot, root))
        .isFalse();
  }

  // ---------------------------------------------------------------- against a naive tree

  /** MTH of RFC 6962 section 2.1, written straight from the definition. */
  static byte[] naiveRoot(List<byte[]> leaves) {
    if (leaves.isEmpty()) {
      return Rfc6962.emptyRoot();
    }
    if (leaves.size() == 1) {
      return Rfc6962.leafHash(leaves.get(0));
    }
    int k = Integer.highestOneBit(leaves.size() - 1);
    return Rfc6962.nodeHash(
        naiveRoot(leaves.subList(0, k)), naiveRoot(leaves.subList(k, leaves.size())));
  }

  @Test
  void everyRootAndProofUpTo70LeavesAgreesWithTheDefinition() {
    List<byte[]> leaves = new ArrayList<>();
    MerkleTree t = new MerkleTree();
    for (int i = 0; i < 70; i++) {
      byte[] leaf = ("{\"seq\":" + (i + 1) + "}").getBytes(StandardCharsets.UTF_8);
      leaves.add(leaf);
      t.appendLeaf(leaf, 0, leaf.length);
    }
    for (int n = 0; n <= 70; n++) {
      byte[] root = naiveRoot(leaves.subList(0, n));
      assertThat(t.root(n)).as("root of %d", n).isEqualTo(root);
      for (int m = 0; m < n; m++) {
        List<byte[]> inclusion = t.inclusionProof(m, n);
        assertThat(Proofs.verifyInclusion(m, n, t.leafHash(m), inclusion, root))
            .as("leaf %d of %d", m, n)
            .isTrue();
      }
      for (int m = 0; m <= n; m++) {
        List<byte[]> proof = t.consistencyProof(m, n);
        assertThat(Proofs.verifyConsistency(m, n, proof, t.root(m), root))
            .as("consistency %d to %d", m, n)
            .isTrue();
        if (m > 0 && m < n) {
          assertThat(Proofs.verifyConsistency(m, n, proof, t.root(m), t.root(n - 1)))
              .as("consistency %d to %d against the wrong new root", m, n)
              .isFalse();
        }
      }
    }
  }

  @Test
  void aTreeOfAMillionLeavesBuildsAndProves() {
    MerkleTree t = new MerkleTree();
    byte[] leaf = new byte[8];
    for (int i = 0; i < 1_000_000; i++) {
      java.nio.ByteBuffer.wrap(leaf).putLong(i);
      t.appendLeaf(leaf, 0, leaf.length);
    }
    byte[] root = t.root(1_000_000);
    List<byte[]> proof = t.inclusionProof(654_321, 1_000_000);
    assertThat(proof).hasSize(20);
    assertThat(Proofs.verifyInclusion(654_321, 1_000_000, t.leafHash(654_321), proof, root))
        .isTrue();
    List<byte[]> consistency = t.consistencyProof(999_999, 1_000_000);
    assertThat(Proofs.verifyConsistency(999_999, 1_000_000, consistency, t.root(999_999), root))
        .isTrue();
  }

  // ---------------------------------------------------------------- helpers

  static JsonNode json(String name) throws Exception {
    try (InputStream in =
        MerkleTreeTest.class.getResourceAsStream("/transparency/argon2020/" + name)) {
      return new ObjectMapper().readTree(in);
    }
  }

  static List<byte[]> hashes(String spaceSeparatedHex) {
    List<byte[]> out = new ArrayList<>();
    for (String s : spaceSeparatedHex.trim().split("\\s+")) {
      if (!s.isEmpty()) {
        out.add(h(s));
      }
    }
    return out;
  }

  static List<byte[]> with(List<byte[]> proof, byte[] last) {
    List<byte[]> out = new ArrayList<>(proof);
    out.add(last);
    return out;
  }

  static List<byte[]> withFirst(byte[] first, List<byte[]> proof) {
    List<byte[]> out = new ArrayList<>();
    out.add(first);
    out.addAll(proof);
    return out;
  }

  static List<byte[]> flip(List<byte[]> proof, int i) {
    List<byte[]> out = new ArrayList<>(proof);
    byte[] changed = out.get(i).clone();
    changed[0] ^= 16;
    out.set(i, changed);
    return out;
  }
}
