"""Draws processes/campaign.bpmn (and its element templates) with bpmngen.

python3 tools/bpmn/campaign.py processes/campaign.bpmn [.camunda/element-templates/aiflow.json]
"""
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpmngen import Model

TPL = {}

# delegateExpression bean -> template id, name, description
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


def end(m, id, name, cx, cy, reason, doc=None, **kw):
    """An end event that says its reason: the listener copies the property to endReason."""
    body = ('<bpmn:extensionElements>\n'
            '  <camunda:properties>\n'
            '    <camunda:property name="endReason" value="%s" />\n'
            '  </camunda:properties>\n'
            '  <camunda:executionListener delegateExpression="${campaignEndListener}" event="end" />\n'
            '</bpmn:extensionElements>' % reason)
    return m.add('endEvent', id, name, cx, cy, body=body, doc=doc, **kw)


def error_boundary(m, id, name, attached, cx, cy, error_ref, msg_var=None, doc=None):
    ed = '<bpmn:errorEventDefinition id="ErrorEventDefinition_%s" errorRef="%s"%s />' % (
        id.replace('BoundaryEvent_', ''), error_ref,
        ' camunda:errorMessageVariable="%s"' % msg_var if msg_var else '')
    return m.add('boundaryEvent', id, name, cx, cy, attached=attached, doc=doc,
                 attrs={'__tail__': ed})


CALL_BODY = '''<bpmn:extensionElements>
  <camunda:in businessKey="#{currentRunId}" />
  <camunda:in source="projectId" target="projectId" />
  <camunda:in source="currentTaskKey" target="taskId" />
  <camunda:in source="currentRunId" target="runId" />
  <camunda:in sourceExpression="${currentStepPack}" target="stepPack" />
  <camunda:in source="maxReworkRounds" target="maxReworkRounds" />
  <camunda:in source="currentEscalateExhaustedRework" target="escalateExhaustedRework" />
  <camunda:in source="currentBackend" target="workerBackend" />
  <camunda:in source="taskWorkspace" target="workspace" />
  <camunda:in source="workerShim" target="workerShim" />
  <camunda:in sourceExpression="${false}" target="closeTaskOnFinish" />
  <camunda:in sourceExpression="${execution.processInstanceId}" target="campaignId" />
  <camunda:in source="autoCheckpoint" target="autoCheckpoint" />
  <camunda:in source="rollbackOnFail" target="rollbackOnFail" />
  <camunda:in source="planSnapshotPath" target="planSnapshotPath" />
  <camunda:in source="boundarySnapshotPath" target="boundarySnapshotPath" />
  <camunda:in source="requirementsSha256" target="requirementsSha256" />
  <camunda:out source="outcome" target="cycleOutcome" />
  <camunda:out source="qaVerdict" target="cycleQaVerdict" />
  <camunda:out source="qaReasonCode" target="cycleQaReasonCode" />
  <camunda:out source="reworkRound" target="cycleReworkRounds" />
  <camunda:out source="dispatchOutcome" target="cycleDispatchOutcome" />
  <camunda:out source="dispatchTokens" target="cycleTokens" />
  <camunda:out source="dispatchCostUsd" target="cycleCostUsd" />
</bpmn:extensionElements>'''


def build():
    m = Model('Definitions_Campaign', 'campaign', 'Campaign',
              {'isExecutable': 'true', 'camunda:historyTimeToLive': '180',
               'camunda:versionTag': '2'},
              doc='A campaign over a triage queue: it takes the queue (one running campaign per '
                  'queue), checks the execution guard and the backends, then runs cycles: select '
                  'the next eligible task, resolve its StepPack (map or auto-plan), run the step '
                  'cycle, finalize the queue, sync the scoreboard, summarise; Gateway_WayOut '
                  'decides whether it goes on. Every end event names its endReason (a property '
                  'the end listener records). Variables: docs/architecture.md.')
    m.roots += [
        '<bpmn:error id="Error_BackendUnhealthy" name="Backend unhealthy" errorCode="BACKEND_UNHEALTHY" />',
        '<bpmn:error id="Error_ExecutionBlocked" name="Execution blocked" errorCode="EXECUTION_BLOCKED" />',
        '<bpmn:error id="Error_InvalidInput" name="Invalid input" errorCode="INVALID_INPUT" />',
        '<bpmn:error id="Error_QueueInUse" name="Queue in use" errorCode="QUEUE_IN_USE" />',
        '<bpmn:message id="Message_CancelCampaign" name="aiflowCancelCampaign" />',
    ]
    Y = 380
    m.add('startEvent', 'StartEvent_Campaign', 'Campaign requested', 110, Y,
          attrs={'camunda:initiator': 'startedBy'})
    svc(m, 'Task_StartCampaign', 'Start campaign', 210, Y, 'startCampaignDelegate',
        'start-campaign',
        'Checks the campaign variables (queuePath, stepPackMap, limits), fills defaults '
        '(progressDir, claimOwner, limits, escalateExhaustedRework false), takes the queue '
        '(<queue>.owner; BPMN error '
        'QUEUE_IN_USE when a running campaign holds it) and puts tasks held by campaigns that no '
        'longer run back to pending.')
    error_boundary(m, 'BoundaryEvent_InvalidInput', 'Invalid input', 'Task_StartCampaign',
                   185, Y + 40, 'Error_InvalidInput', msg_var='endDetail',
                   doc='A variable the start cannot use (a missing queuePath, a path outside the '
                       'allowed roots, a queue that does not parse): the campaign ends at once '
                       'with endReason invalid_input, endDetail saying what and where, and '
                       'invalidField naming the variable. Nothing was read from or written to the '
                       'queue. docs/security.md.')
    end(m, 'EndEvent_InvalidInput', 'Invalid input', 130, 560, 'invalid_input')
    error_boundary(m, 'BoundaryEvent_QueueInUse', 'Queue in use', 'Task_StartCampaign',
                   235, Y + 40, 'Error_QueueInUse', msg_var='endDetail',
                   doc='Another campaign that still runs owns the queue (<queue>.owner): this '
                       'one ends at once as queue_in_use, queueOwner naming the running '
                       'campaign. Nothing in the queue was touched.')
    end(m, 'EndEvent_QueueInUse', 'Queue in use', 235, 660, 'queue_in_use')
    svc(m, 'Task_CheckExecutionGuard', 'Check execution guard', 350, Y,
        'checkExecutionGuardDelegate', 'execution-guard',
        'Refuses a campaign without approved, frozen requirements when the project requires them '
        '(BPMN error EXECUTION_BLOCKED); logs execution_started or execution_blocked_unapproved.',
        doc='Refuses to run without approved, frozen requirements when the project requires them '
            '(requireFreeze or guardContracts); logs execution_started or '
            'execution_blocked_unapproved in the chain and the session log. '
            'docs/requirements.md.')
    error_boundary(m, 'BoundaryEvent_ExecutionBlocked', 'Not approved',
                   'Task_CheckExecutionGuard', 350, Y + 40, 'Error_ExecutionBlocked')
    end(m, 'EndEvent_ExecutionBlocked', 'Execution blocked', 350, 560, 'execution_blocked')
    svc(m, 'Task_PreflightBackends', 'Preflight backends', 490, Y, 'preflightBackendsDelegate',
        'preflight-backends',
        'Health-checks the shim and every backend a runnable task will use; BPMN error '
        'BACKEND_UNHEALTHY with preflightProblems.', asyncb=True)
    error_boundary(m, 'BoundaryEvent_PreflightFailed', 'Backend unhealthy',
                   'Task_PreflightBackends', 490, Y + 40, 'Error_BackendUnhealthy')
    svc(m, 'Task_RecordPreflightFailure', 'Record preflight failure', 490, 520,
        'recordPreflightFailureDelegate', 'record-preflight-failure',
        'Writes endDetail from preflightProblems.')
    end(m, 'EndEvent_PreflightFailed', 'Preflight failed', 490, 660, 'preflight_failed')

    L = 'SubProcess_Lanes'
    DX = 200
    DX2 = DX + 280  # after the step cycle: room for Prepare and Integrate
    m.add('subProcess', L, 'Lanes: one task each', 1720, 490, w=2280, h=500,
          attrs={'__loop__': '<bpmn:multiInstanceLoopCharacteristics>\n'
                             '  <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">'
                             '${maxParallelTasks}</bpmn:loopCardinality>\n'
                             '</bpmn:multiInstanceLoopCharacteristics>'},
          doc='maxParallelTasks lanes in parallel; each loops: select an eligible task (its '
              'dependencies completed, its allowed paths clear of the other lanes\' tasks), run '
              'its step cycle, finalize, summarise, until a way out. Cycle variables are local to '
              'the lane; claims are campaign:<id>#<lane> when there is more than one lane. A lane '
              'with nothing eligible while another lane holds a task waits and selects again.')
    m.add('startEvent', 'StartEvent_Lane', 'Lane', 620, Y, parent=L)
    svc(m, 'Task_StartLane', 'Start lane', 730, Y, 'startLaneDelegate', 'start-lane',
        'Declares the cycle variables local to the lane and its claim owner.', parent=L)
    m.add('exclusiveGateway', 'Gateway_NextCycle', 'Next cycle', 610 + DX, Y, parent=L)
    svc(m, 'Task_SelectNextTask', 'Select next task', 730 + DX, Y, 'selectNextTaskDelegate',
        'select-next-task',
        'The next eligible task by the queue\'s policy (priority, then age; with lanes, allowed '
        'paths clear of the other lanes\'); sets taskSelected, currentTaskKey, currentRunId, '
        'othersBusy.', asyncb=True, parent=L)
    m.add('exclusiveGateway', 'Gateway_TaskSelected', 'Task selected?', 860 + DX, Y,
          attrs={'default': 'Flow_NoTask'}, parent=L)
    m.add('exclusiveGateway', 'Gateway_OthersBusy', 'Other lanes busy?', 860 + DX, 290,
          attrs={'default': 'Flow_LaneDrained'}, parent=L)
    m.add('intermediateCatchEvent', 'TimerEvent_WaitForLanes', 'Wait 1 s', 730 + DX, 290,
          parent=L,
          attrs={'__tail__': '<bpmn:timerEventDefinition id="TimerEventDefinition_WaitForLanes">\n'
                             '  <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1S'
                             '</bpmn:timeDuration>\n</bpmn:timerEventDefinition>'})
    m.add('endEvent', 'EndEvent_LaneDrained', 'Nothing left', 980 + DX, 290, parent=L)
    svc(m, 'Task_ResolveStepPack', 'Resolve StepPack', 980 + DX, Y, 'resolveStepPackDelegate',
        'resolve-step-pack',
        'The task\'s StepPack from stepPackMap or auto-planned from its plan; its backend; '
        'whether it waits for a person when its rework runs out '
        '(currentEscalateExhaustedRework: the queue task\'s escalate_exhausted_rework, else the '
        'campaign\'s escalateExhaustedRework); claims the task for the lane\'s claimOwner.',
        parent=L)
    m.add('exclusiveGateway', 'Gateway_StepPackResolved', 'StepPack?', 1100 + DX, Y,
          attrs={'default': 'Flow_NoStepPack'}, parent=L)
    svc(m, 'Task_SetTaskAside', 'Set task aside', 1100 + DX, 510, 'setTaskAsideDelegate',
        'set-task-aside', 'No pack: the campaign passes over the task from now on (setAside).',
        parent=L)
    svc(m, 'Task_PrepareTaskWorkspace', 'Prepare task workspace', 1230 + DX, Y,
        'prepareTaskWorkspaceDelegate', 'prepare-task-workspace',
        'With git isolation: a fresh worktree on aiflow/<task> at the campaign branch\'s head '
        '(taskWorkspace, taskBranch, taskBaseCommit); a task whose last integration was refused '
        'gets the refusal as its first instruction. Without git: taskWorkspace is the workspace.',
        parent=L,
        doc='Git isolation (gitIsolation auto, the workspace the top level of a git work tree): '
            'the task\'s agent, the kernel\'s observation, verification and rollback all work in '
            '<data-dir>/worktrees/<project>/<campaign>/<task>, on branch aiflow/<task>, created '
            'from the campaign branch (campaignBranch, default aiflow-campaign/<campaign id>). '
            'docs/triage.md, "Isolation in git".')
    m.add('callActivity', 'CallActivity_StepCycle', 'Run step cycle', 1370 + DX, Y,
          attrs={'calledElement': 'stepCycle', 'camunda:calledElementBinding': 'deployment'},
          body=CALL_BODY, parent=L,
          doc='The step cycle of the version deployed with this campaign (binding deployment): '
              'a redeploy does not change the model under a running campaign. Its stepPack comes '
              'from the transient currentStepPack, in the same transaction: the campaign keeps no '
              'copy, the step cycle\'s stepPack is the record.')
    svc(m, 'Task_IntegrateTaskBranch', 'Integrate task branch', 1510 + DX, Y,
        'integrateTaskBranchDelegate', 'integrate-task-branch',
        'With git isolation: commits a completed cycle\'s change on aiflow/<task> and integrates it '
        'into the campaign branch (integrationMode merge or fast-forward); a conflict or a failed '
        're-verification of the merged tree fails the cycle with the files named '
        '(integrationFinding); removes the worktree (kept on failure with keepFailedWorktrees).',
        asyncb=True, parent=L,
        doc='Its own job. Integration happens in the order tasks pass, so a task is integrated '
            'after every task it depends on. INTEGRATION_CONFLICT or INTEGRATION_VERIFY_FAILED '
            'turn the cycle into a failed one: Task_FinalizeQueue requeues the task while it has '
            'attempts left, and its next run starts from the campaign branch\'s head with the '
            'refusal as its first instruction. Without git isolation it does nothing.')
    svc(m, 'Task_FinalizeQueue', 'Finalize queue', 1370 + DX2, Y, 'finalizeQueueDelegate',
        'finalize-queue',
        'Moves the task on in the queue (completed, requeued, failed) and closes it in the chain; '
        'keyed by the run, so a retried job changes and logs nothing twice.', asyncb=True,
        parent=L,
        doc='Its own job: moves the task on in the queue and closes it in the chain (or logs '
            'task_requeued), keyed by the run id, so a retried job changes and logs nothing '
            'twice; sets lastCycleResult and queueCounts.')
    svc(m, 'Task_SyncScoreboard', 'Sync scoreboard', 1510 + DX2, Y, 'syncScoreboardDelegate',
        'sync-scoreboard',
        'Appends the cycle\'s record to trends.jsonl with what it adds to the counters, once per run '
        '(a retried job adds nothing); scoreboard.json is rewritten every 32 cycles, and with '
        'summary.md when the campaign ends.', asyncb=True, parent=L)
    svc(m, 'Task_SummariseCycle', 'Summarise cycle', 1650 + DX2, Y, 'summariseCycleDelegate',
        'summarise-cycle',
        'The counts the way out is decided on: cyclesDone, stagnantCycles, campaignTokens, '
        'campaignCostUsd, budgetExhausted, workLeft, the circuit breaker.', parent=L)
    m.add('exclusiveGateway', 'Gateway_Breaker', 'Backend failing?', 1780 + DX2, Y,
          attrs={'default': 'Flow_BackendOk'}, parent=L)
    svc(m, 'Task_RecordBreakerTripped', 'Record breaker tripped', 1780 + DX2, 510,
        'recordBreakerTrippedDelegate', 'record-breaker-tripped',
        'Logs breaker_tripped (the backend outcome, how many tasks in a row) in the chain and the '
        'session log.', parent=L)
    m.add('userTask', 'UserTask_DecideBreaker', 'Resume or stop?', 1920 + DX2, 510, parent=L,
          attrs={'camunda:candidateGroups': 'aiflow-operators'},
          body='<bpmn:extensionElements>\n'
               '  <camunda:formData>\n'
               '    <camunda:formField id="breakerDecision" label="Resume or stop the campaign" type="enum">\n'
               '      <camunda:value id="resume" name="Resume" />\n'
               '      <camunda:value id="stop" name="Stop" />\n'
               '    </camunda:formField>\n'
               '    <camunda:formField id="breakerReason" label="Why" type="string" />\n'
               '  </camunda:formData>\n'
               '</bpmn:extensionElements>',
          doc='A person (Tasklist, group aiflow-operators) sees that breakerThreshold tasks in a '
              'row failed with the same backend outcome (breakerOutcome: AUTH_MISSING, '
              'RATE_LIMITED) and decides: resume (after fixing the credentials or waiting out '
              'the limit) or stop (breakerStopped: every lane stops at its way out). The queue '
              'is not burnt meanwhile.')
    svc(m, 'Task_RecordBreakerDecision', 'Record breaker decision', 2060 + DX2, 510,
        'recordBreakerDecisionDelegate', 'record-breaker-decision',
        'Logs breaker_decided (who, why, decision); resume closes the breaker, stop sets '
        'breakerStopped.', parent=L)
    m.add('exclusiveGateway', 'Gateway_BreakerJoin', 'Go on', 2190 + DX2, Y, parent=L)
    m.add('exclusiveGateway', 'Gateway_WayOut', 'Way out?', 2310 + DX2, Y, parent=L,
          attrs={'default': 'Flow_Continue'},
          doc='Stops the lane when the campaign is cancelled, a person stopped it at the '
              'breaker, or (while work is left) a limit is reached; otherwise the lane selects '
              'again. Gateway_CampaignEnd then names the reason.')
    m.add('endEvent', 'EndEvent_LaneStopped', 'Lane stops', 2310 + DX2, 290, parent=L)

    # after the lanes: why the campaign ended
    m.add('exclusiveGateway', 'Gateway_CampaignEnd', 'Why did it end?', 2940, Y,
          attrs={'default': 'Flow_EndDrained'},
          doc='Each condition excludes the ones before it, so the order of precedence is in the '
              'conditions themselves: cancelled, breaker stopped, then (only while work is left) '
              'budget exhausted, max cycles, stagnated; otherwise the queue drained.')
    E = 3080
    end(m, 'EndEvent_Cancelled', 'Cancelled', E, 150, 'cancelled')
    end(m, 'EndEvent_BreakerStopped', 'Stopped by a person', E, 220, 'breaker_stopped')
    end(m, 'EndEvent_BudgetExhausted', 'Budget exhausted', E, 290, 'budget_exhausted')
    end(m, 'EndEvent_MaxCycles', 'Max cycles reached', E, Y, 'max_cycles')
    end(m, 'EndEvent_Stagnated', 'Stagnated', E, 470, 'stagnated')
    end(m, 'EndEvent_QueueDrained', 'Queue drained', E, 560, 'queue_drained',
        doc='No task is eligible any more; endDetail says why the open ones are not.')

    # cancel: a message, the running cycle finishes
    m.add('subProcess', 'SubProcess_Cancel', 'Cancel requested', 340, 110, w=400, h=140,
          attrs={'triggeredByEvent': 'true'},
          doc='Non-interrupting: CampaignService.cancel correlates aiflowCancelCampaign; the '
              'running cycle finishes and Gateway_WayOut ends the campaign as cancelled.')
    m.add('startEvent', 'StartEvent_CancelRequested', 'aiflowCancelCampaign', 210, 110,
          parent='SubProcess_Cancel',
          attrs={'isInterrupting': 'false',
                 '__tail__': '<bpmn:messageEventDefinition id="MessageEventDefinition_Cancel" '
                             'messageRef="Message_CancelCampaign" />'})
    svc(m, 'Task_RecordCancelRequest', 'Record cancel request', 340, 110,
        'recordCancelRequestDelegate', 'record-cancel-request',
        'Sets cancelRequested and logs cancel_requested (who asked) in the session log.',
        parent='SubProcess_Cancel')
    m.add('endEvent', 'EndEvent_CancelRecorded', 'Cancel recorded', 470, 110,
          parent='SubProcess_Cancel')

    f = m.flow
    f('Flow_Start', 'StartEvent_Campaign', 'Task_StartCampaign')
    f('Flow_Started', 'Task_StartCampaign', 'Task_CheckExecutionGuard')
    f('Flow_InvalidInput', 'BoundaryEvent_InvalidInput', 'EndEvent_InvalidInput')
    f('Flow_QueueInUse', 'BoundaryEvent_QueueInUse', 'EndEvent_QueueInUse')
    f('Flow_Guarded', 'Task_CheckExecutionGuard', 'Task_PreflightBackends')
    f('Flow_ExecutionBlocked', 'BoundaryEvent_ExecutionBlocked', 'EndEvent_ExecutionBlocked')
    f('Flow_PreflightFailed', 'BoundaryEvent_PreflightFailed', 'Task_RecordPreflightFailure')
    f('Flow_PreflightFailedEnd', 'Task_RecordPreflightFailure', 'EndEvent_PreflightFailed',
      route='down')
    f('Flow_Preflighted', 'Task_PreflightBackends', 'SubProcess_Lanes',
      points=[(540, Y), (580, Y)])
    f('Flow_LaneStarted', 'StartEvent_Lane', 'Task_StartLane')
    f('Flow_LaneReady', 'Task_StartLane', 'Gateway_NextCycle')
    f('Flow_Select', 'Gateway_NextCycle', 'Task_SelectNextTask')
    f('Flow_Selected', 'Task_SelectNextTask', 'Gateway_TaskSelected')
    f('Flow_TaskSelected', 'Gateway_TaskSelected', 'Task_ResolveStepPack', name='yes',
      cond='${taskSelected}')
    f('Flow_NoTask', 'Gateway_TaskSelected', 'Gateway_OthersBusy', name='no', route='up',
      label=(1066, 330, 20, 14))
    f('Flow_OthersBusy', 'Gateway_OthersBusy', 'TimerEvent_WaitForLanes', name='yes',
      cond='${othersBusy}', label=(960, 272, 24, 14))
    f('Flow_Waited', 'TimerEvent_WaitForLanes', 'Gateway_NextCycle',
      points=[(912, 290), (810, 290), (810, 355)])
    f('Flow_LaneDrained', 'Gateway_OthersBusy', 'EndEvent_LaneDrained', name='no',
      label=(1090, 272, 20, 14))
    f('Flow_Resolved', 'Task_ResolveStepPack', 'Gateway_StepPackResolved')
    f('Flow_HasStepPack', 'Gateway_StepPackResolved', 'Task_PrepareTaskWorkspace', name='yes',
      cond='${stepPackResolved}')
    f('Flow_NoStepPack', 'Gateway_StepPackResolved', 'Task_SetTaskAside', name='no',
      route='down', label=(1306, 430, 20, 14))
    f('Flow_SetAside', 'Task_SetTaskAside', 'Gateway_NextCycle',
      points=[(1250, 510), (810, 510), (810, 405)])
    f('Flow_WorkspacePrepared', 'Task_PrepareTaskWorkspace', 'CallActivity_StepCycle')
    f('Flow_CycleEnded', 'CallActivity_StepCycle', 'Task_IntegrateTaskBranch')
    f('Flow_Integrated', 'Task_IntegrateTaskBranch', 'Task_FinalizeQueue')
    f('Flow_QueueFinalized', 'Task_FinalizeQueue', 'Task_SyncScoreboard')
    f('Flow_ScoreboardSynced', 'Task_SyncScoreboard', 'Task_SummariseCycle')
    f('Flow_Summarised', 'Task_SummariseCycle', 'Gateway_Breaker')
    f('Flow_BreakerTripped', 'Gateway_Breaker', 'Task_RecordBreakerTripped',
      name='tripped', cond='${breakerTripped}', route='down', label=(2266, 440, 40, 14))
    f('Flow_BackendOk', 'Gateway_Breaker', 'Gateway_BreakerJoin', name='no')
    f('Flow_TripRecorded', 'Task_RecordBreakerTripped', 'UserTask_DecideBreaker')
    f('Flow_BreakerDecided', 'UserTask_DecideBreaker', 'Task_RecordBreakerDecision')
    f('Flow_BreakerDecisionRecorded', 'Task_RecordBreakerDecision', 'Gateway_BreakerJoin',
      points=[(2590, 510), (2670, 510), (2670, 405)])
    f('Flow_GoOn', 'Gateway_BreakerJoin', 'Gateway_WayOut')
    W = 2790
    f('Flow_LaneStop', 'Gateway_WayOut', 'EndEvent_LaneStopped', name='stop',
      cond='${cancelRequested || breakerStopped || (workLeft && (budgetExhausted'
           ' || cyclesDone >= maxCycles'
           ' || (maxStagnantCycles > 0 && stagnantCycles >= maxStagnantCycles)))}',
      route='up', label=(W + 6, 330, 30, 14))
    f('Flow_Continue', 'Gateway_WayOut', 'Gateway_NextCycle', name='next cycle',
      points=[(W, 405), (W, 700), (810, 700), (810, 405)], label=(W + 6, 660, 60, 14))
    G = 2940
    f('Flow_LanesDone', 'SubProcess_Lanes', 'Gateway_CampaignEnd', points=[(2860, Y), (2915, Y)])
    f('Flow_EndCancelled', 'Gateway_CampaignEnd', 'EndEvent_Cancelled', name='1 cancelled',
      cond='${cancelRequested}', points=[(G, 355), (G, 150), (E - 18, 150)],
      label=(G + 10, 132, 70, 14))
    f('Flow_EndBreakerStopped', 'Gateway_CampaignEnd', 'EndEvent_BreakerStopped',
      name='2 stopped at the breaker', cond='${!cancelRequested && breakerStopped}',
      points=[(G, 355), (G, 220), (E - 18, 220)], label=(G + 10, 202, 120, 14))
    f('Flow_EndBudget', 'Gateway_CampaignEnd', 'EndEvent_BudgetExhausted',
      name='3 budget exhausted',
      cond='${!cancelRequested && !breakerStopped && workLeft && budgetExhausted}',
      points=[(G, 355), (G, 290), (E - 18, 290)], label=(G + 10, 272, 100, 14))
    f('Flow_EndMaxCycles', 'Gateway_CampaignEnd', 'EndEvent_MaxCycles', name='4 max cycles',
      cond='${!cancelRequested && !breakerStopped && workLeft && !budgetExhausted'
           ' && cyclesDone >= maxCycles}', label=(G + 30, 362, 70, 14))
    f('Flow_EndStagnated', 'Gateway_CampaignEnd', 'EndEvent_Stagnated', name='5 stagnated',
      cond='${!cancelRequested && !breakerStopped && workLeft && !budgetExhausted'
           ' && cyclesDone < maxCycles && maxStagnantCycles > 0'
           ' && stagnantCycles >= maxStagnantCycles}',
      points=[(G, 405), (G, 470), (E - 18, 470)], label=(G + 10, 452, 70, 14))
    f('Flow_EndDrained', 'Gateway_CampaignEnd', 'EndEvent_QueueDrained', name='queue drained',
      points=[(G, 405), (G, 560), (E - 18, 560)], label=(G + 10, 542, 80, 14))
    f('Flow_CancelRequested', 'StartEvent_CancelRequested', 'Task_RecordCancelRequest')
    f('Flow_CancelRecorded', 'Task_RecordCancelRequest', 'EndEvent_CancelRecorded')
    return m


if __name__ == '__main__':
    open(sys.argv[1], 'w').write(build().xml())
    if len(sys.argv) > 2:
        from templates import merge
        merge(sys.argv[2], TPL, drop=('dev.aiflow.finish-campaign',))
