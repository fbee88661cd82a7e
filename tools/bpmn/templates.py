import json, sys
SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"

def template(tid, spec):
    kind, name, desc, ref, asyncb, retry = spec
    props = []
    if kind == 'service':
        props.append({"label": "Delegate", "type": "Hidden", "value": "${%s}" % ref,
                      "binding": {"type": "property", "name": "camunda:delegateExpression"}})
        if asyncb:
            props.append({"label": "Asynchronous before (its own transaction, retried on failure)",
                          "type": "Hidden", "value": "true",
                          "binding": {"type": "property", "name": "camunda:asyncBefore"}})
    elif kind == 'external':
        props.append({"label": "Implementation", "type": "Hidden", "value": "external",
                      "binding": {"type": "property", "name": "camunda:type"}})
        props.append({"label": "Topic", "type": "String", "value": ref, "editable": False,
                      "description": "Served by the in-process worker and by `aiflow remote-worker`.",
                      "binding": {"type": "property", "name": "camunda:topic"}})
    elif kind == 'dmn':
        props.append({"label": "Decision", "type": "Hidden", "value": ref,
                      "binding": {"type": "property", "name": "camunda:decisionRef"}})
        props.append({"label": "Result variable", "type": "Hidden", "value": "tierDecision",
                      "binding": {"type": "property", "name": "camunda:resultVariable"}})
        props.append({"label": "Map decision result", "type": "Hidden", "value": "singleResult",
                      "binding": {"type": "property", "name": "camunda:mapDecisionResult"}})
    return {"$schema": SCHEMA, "name": "aiflow: " + name, "id": tid, "version": 2,
            "description": desc,
            "appliesTo": ["bpmn:BusinessRuleTask" if kind == 'dmn' else "bpmn:ServiceTask"],
            "properties": props}

def merge(path, tpls, drop=()):
    existing = json.load(open(path))
    by_id = {t['id']: t for t in existing}
    order = [t['id'] for t in existing]
    for d in drop:
        if d in by_id:
            del by_id[d]; order.remove(d)
    for tid, spec in tpls.items():
        if tid not in by_id:
            order.append(tid)
        by_id[tid] = template(tid, spec)
    json.dump([by_id[i] for i in order], open(path, 'w'), indent=2)
    open(path, 'a').write('\n')
