package dev.aiflow.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Every model in processes/ renders in Modeler and Cockpit (diagram interchange for every flow
 * element), has a history time-to-live, and binds Java only by delegate expression: no {@code
 * camunda:class}, no script tasks, no scripts in listeners or I/O mappings.
 */
class ModelGuardTest {

  static final String BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
  static final String BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI";
  static final String CAMUNDA = "http://camunda.org/schema/1.0/bpmn";

  static Stream<Path> models() throws Exception {
    List<Path> all;
    try (Stream<Path> s = Files.list(Path.of("processes"))) {
      all = s.filter(p -> p.toString().endsWith(".bpmn")).sorted().toList();
    }
    assertThat(all).as("models in processes/").hasSizeGreaterThanOrEqualTo(3);
    return all.stream();
  }

  static Document parse(Path p) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(p.toFile());
  }

  @ParameterizedTest
  @MethodSource("models")
  void everyFlowElementHasDiagramInterchange(Path model) throws Exception {
    Document d = parse(model);
    Set<String> drawn = new HashSet<>();
    for (String tag : List.of("BPMNShape", "BPMNEdge")) {
      NodeList n = d.getElementsByTagNameNS(BPMNDI, tag);
      for (int i = 0; i < n.getLength(); i++) {
        drawn.add(((Element) n.item(i)).getAttribute("bpmnElement"));
      }
    }
    assertThat(d.getElementsByTagNameNS(BPMNDI, "BPMNDiagram").getLength()).isPositive();
    List<String> missing = new ArrayList<>();
    NodeList processes = d.getElementsByTagNameNS(BPMN, "process");
    for (int p = 0; p < processes.getLength(); p++) {
      NodeList children = processes.item(p).getChildNodes();
      for (int i = 0; i < children.getLength(); i++) {
        Node c = children.item(i);
        if (c instanceof Element e
            && !Set.of("documentation", "extensionElements", "laneSet").contains(e.getLocalName())
            && !drawn.contains(e.getAttribute("id"))) {
          missing.add(e.getLocalName() + " " + e.getAttribute("id"));
        }
      }
    }
    assertThat(missing).as(model + ": elements without a shape or edge").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("models")
  void everyProcessHasAHistoryTimeToLive(Path model) throws Exception {
    NodeList processes = parse(model).getElementsByTagNameNS(BPMN, "process");
    assertThat(processes.getLength()).isPositive();
    for (int p = 0; p < processes.getLength(); p++) {
      Element e = (Element) processes.item(p);
      assertThat(e.getAttributeNS(CAMUNDA, "historyTimeToLive"))
          .as(model + " " + e.getAttribute("id"))
          .matches("[1-9][0-9]*");
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void javaIsBoundByDelegateExpressionAndThereAreNoScripts(Path model) throws Exception {
    Document d = parse(model);
    assertThat(d.getElementsByTagNameNS(BPMN, "scriptTask").getLength())
        .as("script tasks")
        .isZero();
    assertThat(d.getElementsByTagNameNS(CAMUNDA, "script").getLength())
        .as("camunda:script")
        .isZero();
    List<String> classes = new ArrayList<>();
    NodeList all = d.getElementsByTagName("*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (e.hasAttributeNS(CAMUNDA, "class")) {
        classes.add(e.getLocalName() + " " + e.getAttribute("id"));
      }
      if ("serviceTask".equals(e.getLocalName())
          && !"external".equals(e.getAttributeNS(CAMUNDA, "type"))) {
        assertThat(e.getAttributeNS(CAMUNDA, "delegateExpression"))
            .as(model + " " + e.getAttribute("id") + " binds a bean")
            .matches("\\$\\{[A-Za-z]+\\}");
      }
    }
    assertThat(classes).as(model + ": camunda:class").isEmpty();
  }
}
