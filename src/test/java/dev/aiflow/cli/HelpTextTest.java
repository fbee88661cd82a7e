package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's {@code --help} (issue 13): the command says what it does in whole sentences, and
 * every option and parameter has a description that is one (a capital first, a full stop last).
 */
class HelpTextTest {

  @Test
  void everyCommandAndOptionIsDescribedInWholeSentences() {
    List<String> problems = new ArrayList<>();
    check(Cli.commandLine(), problems);
    assertThat(problems).isEmpty();
  }

  private static void check(CommandLine cli, List<String> problems) {
    CommandSpec spec = cli.getCommandSpec();
    String name = spec.qualifiedName();
    sentence(name, String.join(" ", spec.usageMessage().description()), problems);
    List<ArgSpec> args = new ArrayList<>(spec.options());
    args.addAll(spec.positionalParameters());
    for (ArgSpec a : args) {
      if (a.hidden()) {
        continue;
      }
      String what =
          name
              + " "
              + (a instanceof CommandLine.Model.OptionSpec o
                  ? o.longestName()
                  : ((CommandLine.Model.PositionalParamSpec) a).paramLabel());
      sentence(what, String.join(" ", a.description()), problems);
    }
    for (CommandLine sub : cli.getSubcommands().values()) {
      if (sub.getCommandSpec().parent() == spec) {
        check(sub, problems);
      }
    }
  }

  private static void sentence(String what, String text, List<String> problems) {
    String t = text.strip();
    if (t.isEmpty()) {
      problems.add(what + ": no description");
    } else if (!Character.isUpperCase(t.codePointAt(0)) && !t.startsWith("`")) {
      problems.add(what + ": starts with a lower-case word: " + t);
    } else if (!t.endsWith(".") && !t.endsWith(")") && !t.endsWith(":")) {
      problems.add(what + ": not a whole sentence (no full stop): " + t);
    }
  }
}
