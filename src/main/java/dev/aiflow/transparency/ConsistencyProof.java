package dev.aiflow.transparency;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A consistency proof in aiflow's text form, shaped like a C2SP tlog-proof: {@code
 * aiflow/consistency-proof@v1}, {@code old <size>}, the RFC 6962 consistency proof one base64 hash
 * per line, a blank line, and the signed checkpoint of the newer tree verbatim. The verifier
 * supplies the older root from a checkpoint it already trusts.
 *
 * @param oldSize the size of the older tree
 * @param hashes the proof
 * @param checkpoint the signed checkpoint of the newer tree
 */
public record ConsistencyProof(long oldSize, List<byte[]> hashes, String checkpoint) {

  public static final String HEADER = "aiflow/consistency-proof@v1";

  public ConsistencyProof {
    hashes = List.copyOf(hashes);
  }

  public String format() {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    b.append("old ").append(oldSize).append('\n');
    hashes.forEach(h -> b.append(Base64.getEncoder().encodeToString(h)).append('\n'));
    return b.append('\n').append(checkpoint).toString();
  }

  public static ConsistencyProof parse(String text) throws NoteException {
    String[] lines = text.split("\n", -1);
    if (lines.length < 4 || !lines[0].equals(HEADER)) {
      throw new NoteException("not an " + HEADER + " proof");
    }
    if (!lines[1].matches("old (0|[1-9][0-9]{0,18})")) {
      throw new NoteException("the proof has no 'old <size>' line");
    }
    List<byte[]> hashes = new ArrayList<>();
    int next = InclusionProof.hashLines(lines, 2, hashes);
    return new ConsistencyProof(
        Long.parseLong(lines[1].substring(4)), hashes, InclusionProof.rest(lines, next));
  }
}
