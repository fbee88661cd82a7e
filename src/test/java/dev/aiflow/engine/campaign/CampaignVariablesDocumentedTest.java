package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.engine.SharedVars;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The campaign's variable contract and its documentation agree (issue 17): every variable
 * docs/architecture.md names for the campaign is a constant of {@link CampaignVars} (or a shared
 * one), and every constant is documented there.
 */
class CampaignVariablesDocumentedTest {

  static final Pattern TOKEN = Pattern.compile("`([a-z][A-Za-z0-9]*)`");
  static final Pattern TABLE_ROW = Pattern.compile("(?m)^\\| (`[^|]+)\\|");

  /** Constants of CampaignVars that name no variable. */
  static final Set<String> NOT_VARIABLES = Set.of(CampaignVars.CANCEL_MESSAGE);

  static Set<String> constants(Class<?> type) throws IllegalAccessException {
    Set<String> out = new TreeSet<>();
    for (Field f : type.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        out.add((String) f.get(null));
      }
    }
    return out;
  }

  static String campaignSection() throws Exception {
    String doc = Files.readString(Path.of("docs/architecture.md"));
    int start = doc.indexOf("## The campaign (");
    int end = doc.indexOf("\n## ", start + 1);
    return doc.substring(start, end);
  }

  @Test
  void everyDocumentedCampaignVariableIsAConstantAndTheReverse() throws Exception {
    String section = campaignSection();
    String variables =
        section.substring(
            section.indexOf("### Campaign variables"), section.indexOf("### The campaign module"));
    Set<String> documented = new TreeSet<>();
    // the inputs table: every name in its first column
    Matcher row = TABLE_ROW.matcher(variables);
    while (row.find()) {
      Matcher t = TOKEN.matcher(row.group(1));
      while (t.find()) {
        documented.add(t.group(1));
      }
    }
    // what the campaign sets: the camelCase names of its paragraph (values are lower case words)
    String set = variables.substring(variables.indexOf("Set by the campaign:"));
    set = set.substring(0, set.indexOf("\n\n"));
    Matcher t = TOKEN.matcher(set);
    while (t.find()) {
      if (!t.group(1).equals(t.group(1).toLowerCase(java.util.Locale.ROOT))) {
        documented.add(t.group(1));
      }
    }
    Set<String> known = constants(CampaignVars.class);
    known.addAll(constants(SharedVars.class));

    assertThat(documented).hasSizeGreaterThan(40);
    assertThat(known).as("documented variables without a constant").containsAll(documented);

    Set<String> inSection = new TreeSet<>();
    Matcher any = TOKEN.matcher(section);
    while (any.find()) {
      inSection.add(any.group(1));
    }
    Set<String> undocumented = new TreeSet<>(constants(CampaignVars.class));
    undocumented.removeAll(NOT_VARIABLES);
    undocumented.removeAll(inSection);
    assertThat(undocumented)
        .as("CampaignVars constants docs/architecture.md does not name")
        .isEmpty();
  }
}
