package dev.aiflow.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Locale;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * How long one checkpoint signature takes while the JIT has not yet compiled the signing code
 * (docs/performance.md, "The profile of the miss at 7de7984"): Bouncy Castle's {@code
 * Ed25519.sign}, called as {@code NoteSigner} calls it, in this fresh JVM, with a pause between
 * calls as between cycles, then the same in a tight loop. Argument: the pause in milliseconds.
 */
public final class SignWarmup {

  private SignWarmup() {}

  public static void main(String[] args) throws InterruptedException {
    long pause = args.length > 0 ? Long.parseLong(args[0]) : 5;
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    new SecureRandom().nextBytes(seed);
    byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed, 0, publicKey, 0);
    byte[] note =
        "aiflow.example/demo\n12345\nq2Uo4d5bKqkp0d3W0H7rYJp1y3xqk3XG8bKp6m8vT0A=\n"
            .getBytes(StandardCharsets.UTF_8);
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    int[] marks = {1, 10, 50, 100, 200, 500, 1000};
    int next = 0;
    for (int call = 1; call <= marks[marks.length - 1]; call++) {
      long start = System.nanoTime();
      Ed25519.sign(seed, 0, publicKey, 0, note, 0, note.length, signature, 0);
      long took = System.nanoTime() - start;
      if (call == marks[next]) {
        System.out.printf(Locale.ROOT, "call %d, %d ms apart: %.0f µs%n", call, pause, took / 1e3);
        next++;
      }
      Thread.sleep(pause);
    }
    for (int i = 0; i < 20_000; i++) {
      Ed25519.sign(seed, 0, publicKey, 0, note, 0, note.length, signature, 0);
    }
    long start = System.nanoTime();
    int loop = 2_000;
    for (int i = 0; i < loop; i++) {
      Ed25519.sign(seed, 0, publicKey, 0, note, 0, note.length, signature, 0);
    }
    System.out.printf(
        Locale.ROOT,
        "tight loop after 20,000 more: %.1f µs a signature%n",
        (System.nanoTime() - start) / 1e3 / loop);
  }
}
