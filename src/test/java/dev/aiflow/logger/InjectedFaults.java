package dev.aiflow.logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Planned failures for the store's {@link IoFaults} hook: "fail the next n times at X on F". */
final class InjectedFaults implements IoFaults {

  private record Plan(Point point, String fileSuffix, AtomicInteger remaining) {}

  private final List<Plan> plans = new ArrayList<>();
  private final AtomicInteger thrown = new AtomicInteger();

  /** Fails the next {@code times} operations at {@code point} on a file whose path ends so. */
  synchronized InjectedFaults fail(Point point, String fileSuffix, int times) {
    plans.add(new Plan(point, fileSuffix, new AtomicInteger(times)));
    return this;
  }

  /** The disk recovered: nothing planned fails any more. */
  synchronized void clear() {
    plans.clear();
  }

  int thrown() {
    return thrown.get();
  }

  @Override
  public synchronized void at(Point point, Path file) throws IOException {
    for (Plan p : plans) {
      if (p.point() == point
          && file.toString().replace('\\', '/').endsWith(p.fileSuffix())
          && p.remaining().getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        thrown.incrementAndGet();
        throw new IOException("injected failure at " + point + " of " + file.getFileName());
      }
    }
  }
}
