"""A tiny BPMN 2.0 writer with diagram interchange, for drawing aiflow's models by grid.

Usage: build a Model, add nodes at grid positions, add flows, call xml().
Nodes are placed by their centre (cx, cy). Flows are routed orthogonally unless waypoints
are given. The output opens in Camunda Modeler (full DI: every shape and edge drawn).
"""
from xml.sax.saxutils import escape, quoteattr

SIZES = {
    'startEvent': (36, 36), 'endEvent': (36, 36), 'boundaryEvent': (36, 36),
    'intermediateCatchEvent': (36, 36), 'intermediateThrowEvent': (36, 36),
    'exclusiveGateway': (50, 50), 'parallelGateway': (50, 50), 'eventBasedGateway': (50, 50),
    'serviceTask': (100, 80), 'userTask': (100, 80), 'businessRuleTask': (100, 80),
    'callActivity': (100, 80), 'task': (100, 80), 'sendTask': (100, 80), 'receiveTask': (100, 80),
}


class Node:
    def __init__(self, kind, id, name, cx, cy, attrs=None, body='', w=None, h=None,
                 attached=None, parent=None, label=None, doc=None):
        self.kind, self.id, self.name, self.cx, self.cy = kind, id, name, cx, cy
        self.attrs = attrs or {}
        self.body = body
        dw, dh = SIZES.get(kind, (100, 80))
        self.w, self.h = w or dw, h or dh
        self.attached = attached
        self.parent = parent
        self.children = []
        self.incoming, self.outgoing = [], []
        self.label = label  # (x, y, w, h) or None
        self.doc = doc

    @property
    def x(self):
        return self.cx - self.w // 2

    @property
    def y(self):
        return self.cy - self.h // 2

    def left(self):
        return (self.x, self.cy)

    def right(self):
        return (self.x + self.w, self.cy)

    def top(self):
        return (self.cx, self.y)

    def bottom(self):
        return (self.cx, self.y + self.h)


class Flow:
    def __init__(self, id, src, tgt, name=None, cond=None, points=None, label=None, attrs=None,
                 body=''):
        self.id, self.src, self.tgt, self.name, self.cond = id, src, tgt, name, cond
        self.points = points
        self.label = label
        self.attrs = attrs or {}
        self.body = body


class Model:
    def __init__(self, defs_id, process_id, process_name, process_attrs, doc=None):
        self.defs_id, self.pid, self.pname = defs_id, process_id, process_name
        self.pattrs = process_attrs
        self.doc = doc
        self.nodes = {}
        self.order = []
        self.flows = []
        self.roots = []  # root-level elements: errors, messages, signals (raw xml)

    def add(self, kind, id, name, cx, cy, **kw):
        n = Node(kind, id, name, cx, cy, **kw)
        self.nodes[id] = n
        self.order.append(n)
        if n.parent:
            self.nodes[n.parent].children.append(n)
        return n

    def flow(self, id, src, tgt, name=None, cond=None, points=None, route=None, label=None,
             attrs=None, body=''):
        s, t = self.nodes[src], self.nodes[tgt]
        if points is None:
            points = self.route(s, t, route)
        f = Flow(id, src, tgt, name, cond, points, label, attrs, body)
        s.outgoing.append(id)
        t.incoming.append(id)
        self.flows.append(f)
        return f

    def route(self, s, t, how):
        # how: None (auto), 'hv' (horizontal then vertical), 'vh', 'down', 'up', or a list of
        # intermediate points
        if isinstance(how, list):
            start = self.exit(s, how[0])
            end = self.entry(t, how[-1])
            return [start] + how + [end]
        if s.kind == 'boundaryEvent':
            start = s.bottom()
            if how == 'up':
                start = s.top()
            if t.cx == s.cx:
                return [start, t.top() if t.cy > s.cy else t.bottom()]
            return [start, (s.cx, t.cy), t.left() if t.cx > s.cx else t.right()]
        if how == 'down':
            if s.cx == t.cx:
                return [s.bottom(), t.top()]
            return [s.bottom(), (s.cx, t.cy), t.left() if t.cx > s.cx else t.right()]
        if how == 'up':
            if s.cx == t.cx:
                return [s.top(), t.bottom()]
            return [s.top(), (s.cx, t.cy), t.left() if t.cx > s.cx else t.right()]
        if how == 'hv':
            start = s.right() if t.cx > s.cx else s.left()
            return [start, (t.cx, s.cy), t.top() if t.cy > s.cy else t.bottom()]
        if s.cy == t.cy:
            if t.cx > s.cx:
                return [s.right(), t.left()]
            return [s.left(), t.right()]
        # default: horizontal then vertical into the target's side
        if t.cx > s.cx:
            start = s.right()
            return [start, ((start[0] + t.x) // 2, s.cy), ((start[0] + t.x) // 2, t.cy), t.left()]
        start = s.left()
        return [start, ((start[0] + t.x + t.w) // 2, s.cy), ((start[0] + t.x + t.w) // 2, t.cy),
                t.right()]

    def exit(self, n, p):
        if p[1] == n.cy:
            return n.right() if p[0] > n.cx else n.left()
        if p[0] == n.cx:
            return n.bottom() if p[1] > n.cy else n.top()
        return n.right()

    def entry(self, n, p):
        if p[1] == n.cy:
            return n.left() if p[0] < n.cx else n.right()
        if p[0] == n.cx:
            return n.top() if p[1] < n.cy else n.bottom()
        return n.left()

    # ------------------------------------------------------------------ xml
    def node_xml(self, n, ind):
        pad = '  ' * ind
        attrs = {'id': n.id}
        if n.name:
            attrs['name'] = n.name
        if n.attached:
            attrs['attachedToRef'] = n.attached
        attrs.update({k: v for k, v in n.attrs.items() if k not in ('__tail__', '__loop__')})
        tail = n.attrs.get('__tail__', '')
        a = ' '.join('%s=%s' % (k, quoteattr(str(v))) for k, v in attrs.items())
        inner = []
        if n.doc:
            inner.append(pad + '  <bpmn:documentation>%s</bpmn:documentation>' % escape(n.doc))
        if n.body:
            for line in n.body.strip('\n').split('\n'):
                inner.append(pad + '  ' + line)
        for f in n.incoming:
            inner.append(pad + '  <bpmn:incoming>%s</bpmn:incoming>' % f)
        for f in n.outgoing:
            inner.append(pad + '  <bpmn:outgoing>%s</bpmn:outgoing>' % f)
        # loop characteristics follow incoming/outgoing and precede a subprocess's elements
        for line in n.attrs.get('__loop__', '').strip('\n').split('\n'):
            if line:
                inner.append(pad + '  ' + line)
        kids = []
        for c in n.children:
            kids.append(self.node_xml(c, ind + 1))
        for fl in self.flows:
            if self.nodes[fl.src].parent == n.id:
                kids.append(self.flow_xml(fl, ind + 1))
        # BPMN order: documentation, extensionElements, incoming/outgoing, then children,
        # then loop characteristics / event definitions (kept in tail via body_tail attr)
        out = [pad + '<bpmn:%s %s>' % (n.kind, a)] + inner + kids
        if tail:
            for line in tail.strip('\n').split('\n'):
                out.append(pad + '  ' + line)
        out.append(pad + '</bpmn:%s>' % n.kind)
        return '\n'.join(out)

    def flow_xml(self, f, ind):
        pad = '  ' * ind
        attrs = {'id': f.id}
        if f.name:
            attrs['name'] = f.name
        attrs['sourceRef'] = f.src
        attrs['targetRef'] = f.tgt
        attrs.update(f.attrs)
        a = ' '.join('%s=%s' % (k, quoteattr(str(v))) for k, v in attrs.items())
        if f.cond is None and not f.body:
            return pad + '<bpmn:sequenceFlow %s />' % a
        lines = [pad + '<bpmn:sequenceFlow %s>' % a]
        if f.body:
            for line in f.body.strip('\n').split('\n'):
                lines.append(pad + '  ' + line)
        if f.cond is not None:
            lines.append(pad + '  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">%s'
                         '</bpmn:conditionExpression>' % escape(f.cond))
        lines.append(pad + '</bpmn:sequenceFlow>')
        return '\n'.join(lines)

    def label_bounds(self, n):
        if n.label:
            return n.label
        if not n.name:
            return None
        if n.kind in ('startEvent', 'endEvent', 'boundaryEvent', 'intermediateCatchEvent',
                      'intermediateThrowEvent'):
            w = max(40, min(110, 6 * len(n.name)))
            lines = 1 + (6 * len(n.name)) // 110
            return (n.cx - w // 2, n.y + n.h + 7, w, 14 * lines)
        if n.kind.endswith('Gateway'):
            w = max(40, min(120, 6 * len(n.name)))
            return (n.cx - w // 2, n.y - 20, w, 14)
        return None

    def xml(self):
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
               'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
               'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
               'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
               'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
               'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
               'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
               'id="%s" targetNamespace="http://aiflow.dev/bpmn" exporter="Camunda Modeler" '
               'exporterVersion="5.30.0" modeler:executionPlatform="Camunda Platform" '
               'modeler:executionPlatformVersion="7.24.0">' % self.defs_id]
        for r in self.roots:
            out.append('  ' + r)
        pa = ' '.join('%s=%s' % (k, quoteattr(str(v))) for k, v in self.pattrs.items())
        out.append('  <bpmn:process id="%s" name=%s %s>' % (self.pid, quoteattr(self.pname), pa))
        if self.doc:
            out.append('    <bpmn:documentation>%s</bpmn:documentation>' % escape(self.doc))
        for n in self.order:
            if n.parent is None:
                out.append(self.node_xml(n, 2))
        for f in self.flows:
            if self.nodes[f.src].parent is None:
                out.append(self.flow_xml(f, 2))
        out.append('  </bpmn:process>')
        out.append('  <bpmndi:BPMNDiagram id="BPMNDiagram_%s">' % self.pid)
        out.append('    <bpmndi:BPMNPlane id="BPMNPlane_%s" bpmnElement="%s">' % (self.pid, self.pid))
        # subprocesses first so they are drawn beneath their content
        shapes = sorted(self.order, key=lambda n: 0 if n.children else 1)
        for n in shapes:
            extra = ''
            if n.kind == 'subProcess':
                extra = ' isExpanded="true"'
            if n.kind == 'exclusiveGateway':
                extra = ' isMarkerVisible="true"'
            out.append('      <bpmndi:BPMNShape id="%s_di" bpmnElement="%s"%s>' % (n.id, n.id, extra))
            out.append('        <dc:Bounds x="%d" y="%d" width="%d" height="%d" />'
                       % (n.x, n.y, n.w, n.h))
            lb = self.label_bounds(n)
            if lb:
                out.append('        <bpmndi:BPMNLabel><dc:Bounds x="%d" y="%d" width="%d" '
                           'height="%d" /></bpmndi:BPMNLabel>' % lb)
            out.append('      </bpmndi:BPMNShape>')
        for f in self.flows:
            out.append('      <bpmndi:BPMNEdge id="%s_di" bpmnElement="%s">' % (f.id, f.id))
            for (x, y) in f.points:
                out.append('        <di:waypoint x="%d" y="%d" />' % (x, y))
            if f.name:
                lb = f.label
                if not lb:
                    (x1, y1), (x2, y2) = f.points[0], f.points[1]
                    w = max(20, min(140, 6 * len(f.name)))
                    if y1 == y2:
                        lb = (min(x1, x2) + 4, y1 - 18, w, 14)
                    else:
                        lb = (x1 + 6, (y1 + y2) // 2 - 7, w, 14)
                out.append('        <bpmndi:BPMNLabel><dc:Bounds x="%d" y="%d" width="%d" '
                           'height="%d" /></bpmndi:BPMNLabel>' % lb)
            out.append('      </bpmndi:BPMNEdge>')
        out.append('    </bpmndi:BPMNPlane>')
        out.append('  </bpmndi:BPMNDiagram>')
        out.append('</bpmn:definitions>')
        return '\n'.join(out) + '\n'
