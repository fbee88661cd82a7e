import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpmngen import Model

TPL = {}  # element template id -> (name, description, props)


def svc(m, id, name, cx, cy, bean, tpl, desc, doc=None, asyncb=False, retry=None, **kw):
    attrs = {'camunda:delegateExpression': '${%s}' % bean,
             'camunda:modelerTemplate': 'dev.aiflow.' + tpl,
             'camunda:modelerTemplateVersion': '2'}
    body = ''
    if asyncb:
        attrs['camunda:asyncBefore'] = 'true'
        body = ('<bpmn:extensionElements>\n  <camunda:failedJobRetryTimeCycle>%s'
                '</camunda:failedJobRetryTimeCycle>\n</bpmn:extensionElements>' % (retry or 'R3/PT5S'))
    TPL['dev.aiflow.' + tpl] = ('service', name, desc, bean, asyncb, retry)
    return m.add('serviceTask', id, name, cx, cy, attrs=attrs, body=body, doc=doc, **kw)


def ext(m, id, name, cx, cy, topic, tpl, desc, doc=None):
    attrs = {'camunda:type': 'external', 'camunda:topic': topic,
             'camunda:modelerTemplate': 'dev.aiflow.' + tpl,
             'camunda:modelerTemplateVersion': '2'}
    TPL['dev.aiflow.' + tpl] = ('external', name, desc, topic, False, None)
    return m.add('serviceTask', id, name, cx, cy, attrs=attrs, doc=doc)


def error_boundary(m, id, name, attached, cx, cy, error_ref, msg_var=None):
    ed = '<bpmn:errorEventDefinition id="ErrorEventDefinition_%s" errorRef="%s"%s />' % (
        id.replace('BoundaryEvent_', ''), error_ref,
        ' camunda:errorMessageVariable="%s"' % msg_var if msg_var else '')
    return m.add('boundaryEvent', id, name, cx, cy, attached=attached,
                 attrs={'__tail__': ed})


def build():
    m = Model('Definitions_StepCycle', 'stepCycle', 'Step cycle',
              {'isExecutable': 'true', 'camunda:historyTimeToLive': '180',
               'camunda:versionTag': '2'},
              doc='One step of one task: intake check, tier routing (tier-routing.dmn), tier3 '
                  'contract, the contract guard and an optional checkpoint, dispatch to an agent '
                  '(external task aiflow-dispatch), the kernel verifying the workspace (external '
                  'task aiflow-verify), the attempt in the hash chain, the QA gate, then PASS, a '
                  'bounded rework, a person (escalation in Tasklist), or failed. Variables: '
                  'docs/architecture.md.')
    m.roots += [
        '<bpmn:error id="Error_IntakeRejected" name="Intake rejected" errorCode="INTAKE_REJECTED" />',
        '<bpmn:error id="Error_ContractViolation" name="Contract violation" errorCode="CONTRACT_VIOLATION" />',
    ]
    A, T, B, C, D = 200, 80, 360, 480, 600
    m.add('startEvent', 'StartEvent_StepCycle', 'Step requested', 150, A,
          attrs={'camunda:initiator': 'startedBy'})
    svc(m, 'Task_ValidateIntake', 'Validate intake', 260, A, 'validateIntakeDelegate',
        'validate-intake',
        'Parses stepPack, checks the intake, the project id and the workspace; sets defaults; any '
        'finding throws BPMN error INTAKE_REJECTED.')
    error_boundary(m, 'BoundaryEvent_IntakeRejected', 'Intake rejected', 'Task_ValidateIntake',
                   260, A + 40, 'Error_IntakeRejected')
    svc(m, 'Task_FinalizeRejected', 'Record rejection', 260, B, 'finalizeRejectedDelegate',
        'finalize-rejected', 'Outcome rejected: logs the findings, closes the task as rejected.')
    m.add('endEvent', 'EndEvent_Rejected', 'Step rejected', 260, C)
    m.add('businessRuleTask', 'Task_RouteTier', 'Route tier', 410, A,
          attrs={'camunda:decisionRef': 'tierRouting', 'camunda:resultVariable': 'tierDecision',
                 'camunda:mapDecisionResult': 'singleResult',
                 'camunda:modelerTemplate': 'dev.aiflow.route-tier',
                 'camunda:modelerTemplateVersion': '2'})
    TPL['dev.aiflow.route-tier'] = ('dmn', 'Route tier',
                                    'Evaluates tier-routing.dmn; result map tierDecision {tier, reason}.',
                                    'tierRouting', False, None)
    m.add('exclusiveGateway', 'Gateway_Tier', 'Which tier?', 540, A,
          attrs={'default': 'Flow_Tier2'})
    svc(m, 'Task_CompileContract', 'Compile master contract', 650, T, 'compileContractDelegate',
        'compile-contract', 'Tier3: compiles master_contract.md and its conformance report; logs '
        'contract_compiled.')
    m.add('exclusiveGateway', 'Gateway_TierJoin', 'Tier decided', 760, A)
    svc(m, 'Task_PrepareDispatch', 'Prepare StepPack', 870, A, 'prepareDispatchDelegate',
        'prepare-dispatch', 'Stamps the routed tier, the contract and the backend onto stepPack.')
    svc(m, 'Task_CheckContractGuard', 'Check contract guard', 1020, A,
        'checkContractGuardDelegate', 'contract-guard',
        'With planSnapshotPath and boundarySnapshotPath: the pack must conform to the frozen plan '
        'and boundary, else BPMN error CONTRACT_VIOLATION.',
        doc='Checks the StepPack against the frozen plan and boundary (planSnapshotPath, '
            'boundarySnapshotPath) before any agent runs; a violation is BPMN error '
            'CONTRACT_VIOLATION with guardFindings. Passes through when no snapshots are given. '
            'docs/requirements.md.')
    error_boundary(m, 'BoundaryEvent_ContractViolation', 'Contract violated',
                   'Task_CheckContractGuard', 1020, A + 40, 'Error_ContractViolation')
    svc(m, 'Task_RecordGuardBlock', 'Record guard block', 1020, B, 'recordGuardBlockDelegate',
        'record-guard-block', 'Outcome blocked; the task is closed as rejected with the findings.')
    m.add('endEvent', 'EndEvent_GuardBlocked', 'Dispatch blocked', 1020, C)
    svc(m, 'Task_CreateCheckpoint', 'Create checkpoint', 1170, A, 'createCheckpointDelegate',
        'create-checkpoint',
        'With autoCheckpoint: copies the files under the allowed paths (once per cycle, keyed by '
        'the instance and activity) and sets checkpointId.', asyncb=True,
        doc='With autoCheckpoint: copies the files under the StepPack\'s allowed paths '
            '(docs/recovery.md) and sets checkpointId. Asynchronous and keyed by the process '
            'instance and this activity, so a retried job takes no second checkpoint. Otherwise '
            'passes through.')
    m.add('exclusiveGateway', 'Gateway_DispatchJoin', 'Dispatch', 1300, A)
    ext(m, 'Task_DispatchStep', 'Dispatch to agent', 1410, A, 'aiflow-dispatch', 'dispatch',
        'Runs the step (stepPack), or from round 1 on its latest rework (reworkPack, resuming '
        'threadId), through the shim under its limits and budget, in the sandbox, after the '
        'kernel\'s snapshot of the workspace; completes with stepResult, dispatchOutcome, '
        'dispatchUsage and the dispatch\'s ids.',
        doc='An external task (topic aiflow-dispatch): the worker snapshots the workspace, runs '
            'the agent through the shim in the sandbox, extends its lock while output flows, and '
            'completes with the StepResult (a claim, judged later against what the kernel '
            'observes). docs/architecture.md, "Dispatch".')
    ext(m, 'Task_VerifyInWorkspace', 'Verify in workspace', 1560, A, 'aiflow-verify',
        'verify-in-workspace',
        'The kernel observes what the agent changed (against the snapshot) and re-runs every '
        'required command and verification itself; completes with kernelObservation and '
        'reviewInputs.',
        doc='An external task (topic aiflow-verify) on the worker next to the workspace: the '
            'observed change set and patch, the kernel\'s own runs of the required commands and '
            'verifications (clean environment, sandbox, own limits), kept as kernel evidence. '
            'It hands over reviewInputs (the observation, and the SHA-256 of every evidence file '
            'the StepResult cites), so the QA gate needs no copy of the workspace. '
            'docs/protocol.md, '
            '"What the kernel observes and re-runs"; docs/architecture.md, "Remote workers".')
    svc(m, 'Task_LogAttempt', 'Log attempt', 1710, A, 'logAttemptDelegate', 'log-attempt',
        'Appends one R/S attempt (with tokens, cost, turns) to the hash chain, idempotent per '
        'dispatch; sets attemptEventHash and chainAnchor (kept in history).', asyncb=True)
    svc(m, 'Task_QaReview', 'QA review', 1860, A, 'qaReviewDelegate', 'qa-review',
        'The QA gate on the kernel\'s observation and evidence hashes (reviewInputs); sets '
        'qaVerdict, qaReasonCode; when it did not pass also reworkConverging, taskBudgetLeft, '
        'reworkStop, qaSummary, claimsContradicted, escalationCause (removed again when a later round passes); '
        'logs qa_review.')
    m.add('exclusiveGateway', 'Gateway_QaVerdict', 'QA verdict?', 1990, A,
          attrs={'default': 'Flow_NotPassed'})
    m.add('exclusiveGateway', 'Gateway_FailureKind', 'What failed?', 2120, A,
          attrs={'default': 'Flow_Fixable'})
    m.add('exclusiveGateway', 'Gateway_ReworkAllowed', 'Rework allowed?', 2250, A,
          attrs={'default': 'Flow_NoRework'})
    m.add('exclusiveGateway', 'Gateway_Exhausted', 'Ask a person?', 2380, A,
          attrs={'default': 'Flow_ExhaustedFail'})
    # completion, top row
    m.add('exclusiveGateway', 'Gateway_CompleteJoin', 'Accepted', 3040, T)
    svc(m, 'Task_FinalizeCompleted', 'Finalize completed', 3160, T, 'finalizeCompletedDelegate',
        'finalize-completed', 'Outcome completed: logs cycle_finished, closes the task as '
        'accepted (an override when a person accepted it), signs a checkpoint.')
    m.add('endEvent', 'EndEvent_Completed', 'Step completed', 3300, T)
    # rework, row B
    m.add('exclusiveGateway', 'Gateway_ReworkJoin', 'Rework', 2250, B)
    svc(m, 'Task_BuildReworkPack', 'Build rework pack', 1860, B, 'buildReworkPackDelegate',
        'build-rework', 'The next round: a ReworkPack naming the failing checks and what the '
        'kernel observed, its limits lowered to what is left of the task\'s budget.')
    # escalation, row B right
    m.add('exclusiveGateway', 'Gateway_EscalationJoin', 'To a person', 2520, B)
    m.add('userTask', 'UserTask_DecideEscalation', 'Decide escalation', 2640, B,
          attrs={'camunda:candidateGroups': '${escalationGroup}',
                 'camunda:formKey': 'embedded:deployment:processes/forms/decide-escalation.html'},
          body='<bpmn:extensionElements>\n'
               '  <camunda:taskListener delegateExpression="${escalationListener}" event="complete" />\n'
               '</bpmn:extensionElements>',
          doc='A person decides (Tasklist, candidate group escalationGroup, default '
              'aiflow-operators): grant more rework rounds, accept the work as it is (an '
              'override with who and why), or fail it. Comes here when rework rounds, budget or '
              'progress ran out and escalateExhaustedRework is on, when the agent reported '
              'BLOCKED, or when a criterion is manual. The form shows why '
              '(escalationCause).')
    svc(m, 'Task_RecordEscalationDecision', 'Record decision', 2790, B,
        'recordEscalationDecisionDelegate', 'record-escalation',
        'Logs escalation_decided (who, why, decision) in the chain; more rounds raise '
        'maxReworkRounds; an acceptance is an override.')
    m.add('exclusiveGateway', 'Gateway_EscalationDecision', 'Decision?', 2920, B,
          attrs={'default': 'Flow_DecisionFail'})
    # failure, row D
    m.add('exclusiveGateway', 'Gateway_FailJoin', 'Failed', 2380, D)
    svc(m, 'Task_RollbackWorkspace', 'Roll back workspace', 2510, D, 'rollbackWorkspaceDelegate',
        'rollback-workspace',
        'With rollbackOnFail and a checkpoint: restores the workspace; logs rollback.',
        asyncb=True,
        doc='With rollbackOnFail and a checkpointId: restores the workspace to the checkpoint and '
            'logs a rollback event in the chain (asynchronous; repeating it restores the same '
            'state). Otherwise passes through.')
    svc(m, 'Task_FinalizeFailed', 'Finalize failed', 2660, D, 'finalizeFailedDelegate',
        'finalize-failed', 'Outcome failed: logs cycle_finished, closes the task as failed, '
        'signs a checkpoint.')
    m.add('endEvent', 'EndEvent_Failed', 'Step failed', 2800, D)

    f = m.flow
    f('Flow_Start', 'StartEvent_StepCycle', 'Task_ValidateIntake')
    f('Flow_IntakeOk', 'Task_ValidateIntake', 'Task_RouteTier')
    f('Flow_Rejected', 'BoundaryEvent_IntakeRejected', 'Task_FinalizeRejected')
    f('Flow_RejectedEnd', 'Task_FinalizeRejected', 'EndEvent_Rejected', route='down')
    f('Flow_Routed', 'Task_RouteTier', 'Gateway_Tier')
    f('Flow_Tier3', 'Gateway_Tier', 'Task_CompileContract', name='tier3',
      cond="${tierDecision.tier == 'tier3'}", route='up')
    f('Flow_Tier2', 'Gateway_Tier', 'Gateway_TierJoin', name='tier2')
    f('Flow_Contract', 'Task_CompileContract', 'Gateway_TierJoin', route='hv')
    f('Flow_Prepare', 'Gateway_TierJoin', 'Task_PrepareDispatch')
    f('Flow_Prepared', 'Task_PrepareDispatch', 'Task_CheckContractGuard')
    f('Flow_GuardViolation', 'BoundaryEvent_ContractViolation', 'Task_RecordGuardBlock')
    f('Flow_GuardBlockedEnd', 'Task_RecordGuardBlock', 'EndEvent_GuardBlocked', route='down')
    f('Flow_Guarded', 'Task_CheckContractGuard', 'Task_CreateCheckpoint')
    f('Flow_Checkpointed', 'Task_CreateCheckpoint', 'Gateway_DispatchJoin')
    f('Flow_Dispatch', 'Gateway_DispatchJoin', 'Task_DispatchStep')
    f('Flow_Dispatched', 'Task_DispatchStep', 'Task_VerifyInWorkspace')
    f('Flow_Verified', 'Task_VerifyInWorkspace', 'Task_LogAttempt')
    f('Flow_Logged', 'Task_LogAttempt', 'Task_QaReview')
    f('Flow_Reviewed', 'Task_QaReview', 'Gateway_QaVerdict')
    f('Flow_QaPass', 'Gateway_QaVerdict', 'Gateway_CompleteJoin', name='PASS',
      cond="${qaVerdict == 'PASS'}", points=[(1990, 175), (1990, T), (3015, T)],
      label=(1996, 120, 30, 14))
    f('Flow_NotPassed', 'Gateway_QaVerdict', 'Gateway_FailureKind', name='not passed')
    f('Flow_NeedsPerson', 'Gateway_FailureKind', 'Gateway_EscalationJoin',
      name='needs a person (BLOCKED, manual criterion)',
      cond="${qaVerdict == 'ESCALATE' || qaReasonCode == 'FAIL_WORKER_BLOCKED'}",
      points=[(2120, 175), (2120, 140), (2520, 140), (2520, 335)],
      label=(2130, 122, 250, 14))
    f('Flow_ScopeViolation', 'Gateway_FailureKind', 'Gateway_FailJoin',
      name='scope violation: no rework', cond="${qaReasonCode == 'FAIL_SCOPE_VIOLATION'}",
      points=[(2120, 225), (2120, D), (2355, D)], label=(2128, 520, 150, 14))
    f('Flow_Fixable', 'Gateway_FailureKind', 'Gateway_ReworkAllowed', name='fixable')
    f('Flow_ReworkYes', 'Gateway_ReworkAllowed', 'Gateway_ReworkJoin',
      name='rounds, budget, progress left',
      cond='${reworkRound < maxReworkRounds && reworkConverging && taskBudgetLeft}',
      points=[(2250, 225), (2250, 335)], label=(2256, 290, 170, 14))
    f('Flow_NoRework', 'Gateway_ReworkAllowed', 'Gateway_Exhausted', name='no')
    f('Flow_Escalate', 'Gateway_Exhausted', 'Gateway_EscalationJoin', name='escalate',
      cond='${escalateExhaustedRework}', points=[(2405, A), (2490, A), (2490, B), (2495, B)],
      label=(2410, 182, 50, 14))
    f('Flow_ExhaustedFail', 'Gateway_Exhausted', 'Gateway_FailJoin', name='fail',
      points=[(2380, 225), (2380, D - 25)], label=(2386, 420, 24, 14))
    f('Flow_Rework', 'Gateway_ReworkJoin', 'Task_BuildReworkPack')
    f('Flow_ReworkBuilt', 'Task_BuildReworkPack', 'Gateway_DispatchJoin',
      points=[(1810, B), (1300, B), (1300, 225)])
    f('Flow_ToPerson', 'Gateway_EscalationJoin', 'UserTask_DecideEscalation')
    f('Flow_Decided', 'UserTask_DecideEscalation', 'Task_RecordEscalationDecision')
    f('Flow_DecisionRecorded', 'Task_RecordEscalationDecision', 'Gateway_EscalationDecision')
    f('Flow_DecisionAccept', 'Gateway_EscalationDecision', 'Gateway_CompleteJoin',
      name='accept (override)', cond="${escalationDecision == 'accept'}",
      points=[(2920, 335), (2920, 130), (3040, 130), (3040, 105)], label=(2926, 240, 100, 14))
    f('Flow_DecisionMoreRounds', 'Gateway_EscalationDecision', 'Gateway_ReworkJoin',
      name='more rounds', cond="${escalationDecision == 'more_rounds'}",
      points=[(2920, 385), (2920, 440), (2250, 440), (2250, 385)], label=(2560, 444, 70, 14))
    f('Flow_DecisionFail', 'Gateway_EscalationDecision', 'Gateway_FailJoin', name='fail',
      points=[(2945, B), (3000, B), (3000, 680), (2380, 680), (2380, D + 25)],
      label=(2950, 342, 24, 14))
    f('Flow_Accepted', 'Gateway_CompleteJoin', 'Task_FinalizeCompleted')
    f('Flow_Completed', 'Task_FinalizeCompleted', 'EndEvent_Completed')
    f('Flow_Rollback', 'Gateway_FailJoin', 'Task_RollbackWorkspace')
    f('Flow_RolledBack', 'Task_RollbackWorkspace', 'Task_FinalizeFailed')
    f('Flow_Failed', 'Task_FinalizeFailed', 'EndEvent_Failed')
    return m


if __name__ == '__main__':
    open(sys.argv[1], 'w').write(build().xml())
