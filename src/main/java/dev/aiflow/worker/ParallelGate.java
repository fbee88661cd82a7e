package dev.aiflow.worker;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM-wide cap on agent runs at once ({@code max_parallel_steps}). Every dispatch passes the
 * same gate with its own cap; a dispatch waits while the number of runs in flight is at or above
 * its cap, so the smallest cap in use is never exceeded by the dispatches that asked for it.
 */
public final class ParallelGate {

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final Condition FREED = LOCK.newCondition();
  private static int running;

  private ParallelGate() {}

  /** Waits for a slot under {@code max}; returns a handle that frees it. */
  public static AutoCloseable enter(int max) throws InterruptedException {
    if (max < 1) {
      throw new IllegalArgumentException("max_parallel_steps must be >= 1");
    }
    LOCK.lock();
    try {
      while (running >= max) {
        FREED.await();
      }
      running++;
    } finally {
      LOCK.unlock();
    }
    return ParallelGate::leave;
  }

  private static void leave() {
    LOCK.lock();
    try {
      running--;
      FREED.signalAll();
    } finally {
      LOCK.unlock();
    }
  }

  /** Runs in flight right now (for tests and metrics). */
  public static int running() {
    LOCK.lock();
    try {
      return running;
    } finally {
      LOCK.unlock();
    }
  }
}
