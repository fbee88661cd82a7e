package dev.aiflow.cli;

import dev.aiflow.AiflowApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code aiflow serve}: the server (engine, webapps, REST) until it is stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Start the server: Camunda engine, Cockpit/Tasklist/Admin under /camunda, the engine REST",
      "API under /engine-rest and aiflow's API under /api. Further --name=value arguments are",
      "Spring properties, e.g. --server.port=9090."
    })
public class ServeCommand implements Callable<Integer> {

  @Unmatched List<String> springArgs = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(AiflowApplication.class)
            .listeners(
                event -> {
                  if (event instanceof ContextClosedEvent) {
                    closed.countDown();
                  }
                })
            .run(springArgs.toArray(String[]::new));
    if (context.isActive()) {
      closed.await();
    }
    return ExitCodes.OK;
  }
}
