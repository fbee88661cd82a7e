# Shared by aiflow's fake agent CLIs (claude, codex, gemini in this folder): test fixtures that
# speak each CLI's documented headless event format (docs/backends.md) without calling anyone.
# They really change the workspace, really run the pack's required commands, keep sessions, and
# can be told to misbehave. Bash and coreutils only.
#
# The scenario comes from a line "fake-scenario: NAME" in the prompt (put it in the pack's
# instructions), else $AIFLOW_FAKE_SCENARIO, else "pass":
#   pass            do the work, run the commands, end with a framed StepResult
#   fail-then-pass  a new session leaves the work unfinished (FAIL); a resumed one finishes it
#   over-budget     keeps working and reporting growing usage, with a background child, never ends
#   max-turns       stops at its own --max-turns cap (claude) / turn limit (gemini)
#   rate-limit      the provider answers 429
#   no-auth         no valid credentials (also when the CLI's credential variables are unset)
#   context         the conversation no longer fits the context window
#   permission      the agent is refused the tools it needs and ends without a result
#   garbage         ends with a message that holds no framed StepResult
#   lie-tests-pass  a liar: leaves the work unfinished, never runs the (failing) required
#                   commands, claims each exited 0 and reports PASS (the kernel's re-run and
#                   QA catch it: FAIL_CLAIM_MISMATCH)
#   slow-pass       like pass, after working for $FAKE_AGENT_SLOW_SEC seconds (default 2) with
#                   an event every half second: runs that overlap long enough to be seen
#   fail-always     every run, resumed ones too, leaves the work unfinished and says so (FAIL)
#   hidden-change   does the work, also changes HIDDEN_CHANGE.txt outside the allowed paths and
#                   does not list it (the kernel's observation catches it: FAIL_SCOPE_VIOLATION)
#   silent          prints its first event, then nothing until it is stopped (the silence limit)
# State (sessions, the last command line) lives in $FAKE_AGENT_STATE, default
# .artifacts/.fake-agents/<cli> in the current folder.

fa_json_str() {
  local s="$1"
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"; s="${s//$'\r'/\\r}"; s="${s//$'\t'/\\t}"
  printf '"%s"' "$s"
}

fa_json_list() {
  local first=1 out="[" item
  for item in "$@"; do
    [ $first -eq 1 ] || out+=","
    out+=$(fa_json_str "$item"); first=0
  done
  printf '%s]' "$out"
}

fa_checklist() { printf '%s\n' "$prompt" | sed -n "s/^$1: //p"; }

# fa_init CLI: reads the prompt's checklist and the scenario; prompt must be set
fa_init() {
  fa_cli="$1"
  scenario=$(printf '%s\n' "$prompt" | sed -n 's/.*fake-scenario: *\([a-z0-9-]*\).*/\1/p' | head -n 1)
  scenario="${scenario:-${AIFLOW_FAKE_SCENARIO:-pass}}"
  run_id=$(fa_checklist RUN-ID | head -n 1)
  task_id=$(fa_checklist TASK-ID | head -n 1)
  step_id=$(fa_checklist STEP-ID | head -n 1)
  evidence_dir=$(fa_checklist EVIDENCE-DIR | head -n 1)
  evidence_dir="${evidence_dir:-.artifacts/${run_id:-run}/${task_id:-task}/${step_id:-step}}"
  mapfile -t allowed < <(fa_checklist ALLOWED)
  mapfile -t commands < <(fa_checklist REQUIRED-COMMAND)
  mapfile -t criteria < <(printf '%s\n' "$prompt" | sed -n 's/^CRITERION: \([^ |]*\).*/\1/p')
  state_dir="${FAKE_AGENT_STATE:-.artifacts/.fake-agents}/$fa_cli"
  mkdir -p "$state_dir/sessions" "$evidence_dir"
  target=""
  local p
  for p in "${allowed[@]}"; do
    case "$p" in *'*'* | *'?'*) ;; *) target="$p"; break ;; esac
  done
  if [ -z "$target" ] && [ ${#allowed[@]} -gt 0 ]; then
    local prefix="${allowed[0]%%[*?]*}"; prefix="${prefix%/}"
    target="${prefix:-.}/fake_agent_change.txt"
  fi
  target="${target:-fake_agent_change.txt}"
}

fa_record_argv() {  # the command line as received, one argument per line
  printf '%s\n' "$@" > "$state_dir/last-argv"
}

fa_uuid() { cat /proc/sys/kernel/random/uuid 2>/dev/null || printf '%s-%s' "$$" "$(date +%s%N)"; }

fa_session_new() { local id; id=$(fa_uuid); echo "runs=0" > "$state_dir/sessions/$id"; echo "$id"; }
fa_session_exists() { [ -n "$1" ] && [ -f "$state_dir/sessions/$1" ]; }
fa_session_get() { sed -n "s/^$2=//p" "$state_dir/sessions/$1" | tail -n 1; }
fa_session_set() { echo "$2=$3" >> "$state_dir/sessions/$1"; }

fa_work() {  # done | wip
  local state="$1"
  [ "$scenario" != fail-always ] || state=wip
  mkdir -p "$(dirname "$target")"
  { echo "# changed by the fake $fa_cli ($scenario, $step_id)"; echo "status: $state"; } > "$target"
  if [ "$scenario" = hidden-change ]; then
    echo "changed quietly by the fake $fa_cli" > HIDDEN_CHANGE.txt
  fi
}

fa_run_commands() {
  cmd_json="["; cmd_logs=(); all_ok=1
  local i=0 c log rc
  for c in "${commands[@]}"; do
    i=$((i + 1))
    log="$evidence_dir/cmd-$i.log"
    bash -c "$c" > "$log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || all_ok=0
    [ $i -eq 1 ] || cmd_json+=","
    cmd_json+="{\"command\":$(fa_json_str "$c"),\"exit_code\":$rc,\"evidence_path\":$(fa_json_str "$log")}"
    cmd_logs+=("$log")
  done
  cmd_json+="]"
}

# fa_step_result RESULT CODE DETAIL: one line of StepResult JSON (thread_id left to the shim)
fa_step_result() {
  printf '%s\n' "$target" > "$evidence_dir/changed_files.txt"
  local acc="[" first=1 id
  for id in "${criteria[@]}"; do
    [ $first -eq 1 ] || acc+=","
    acc+="{\"criterion_id\":$(fa_json_str "$id"),\"evidence_paths\":$(fa_json_list "$evidence_dir/changed_files.txt" "${cmd_logs[@]}")}"
    first=0
  done
  acc+="]"
  printf '{"schema":"aiflow.step_result.v1","run_id":%s,"task_id":%s,"step_id":%s,' \
    "$(fa_json_str "$run_id")" "$(fa_json_str "$task_id")" "$(fa_json_str "$step_id")"
  printf '"result":%s,"reason_code":%s,"reason_detail":%s,' \
    "$(fa_json_str "$1")" "$(fa_json_str "$2")" "$(fa_json_str "$3")"
  printf '"changed_files":%s,"commands":%s,"acceptance":%s,' \
    "$(fa_json_list "$target")" "${cmd_json:-[]}" "$acc"
  printf '"artifacts":%s,"next_action":%s}' \
    "$(fa_json_list "$evidence_dir/changed_files.txt")" \
    "$(fa_json_str "Controller: review the evidence in $evidence_dir.")"
}

# fa_do_work done|wip: change the file, run the commands; sets final_text to the report
fa_do_work() {
  fa_work "$1"
  fa_run_commands
  local result=PASS code=PASS_ALL_CRITERIA detail="every required command exited 0"
  if [ "$1" = wip ] || [ "$scenario" = fail-always ] || [ $all_ok -ne 1 ]; then
    result=FAIL; code=TESTS_FAIL; detail="the work is not finished; a required command failed"
  fi
  final_text="I changed $target and ran the required commands."$'\n'"<<<AIFLOW-STEP-RESULT"$'\n'"$(fa_step_result "$result" "$code" "$detail")"$'\n'"AIFLOW-STEP-RESULT>>>"
}

fa_spawn_child() {  # a background child that must die with the run
  sleep 600 &
  echo $! > "$evidence_dir/fake-agent-child.pid"
}

# fa_lie: the lie-tests-pass report. The work stays unfinished and no command runs, yet each is
# claimed to have exited 0 and the step is reported as PASS; sets final_text like fa_do_work
fa_lie() {
  fa_work wip
  printf '%s\n' "$target" > "$evidence_dir/changed_files.txt"
  cmd_json="["; cmd_logs=("$evidence_dir/changed_files.txt")
  local i=0 c
  for c in "${commands[@]}"; do
    i=$((i + 1)); [ $i -eq 1 ] || cmd_json+=","
    cmd_json+="{\"command\":$(fa_json_str "$c"),\"exit_code\":0,\"evidence_path\":$(fa_json_str "$evidence_dir/changed_files.txt")}"
  done
  cmd_json+="]"
  final_text="All tests pass."$'\n'"<<<AIFLOW-STEP-RESULT"$'\n'"$(fa_step_result PASS PASS_ALL_CRITERIA "every required command exited 0 (trust me)")"$'\n'"AIFLOW-STEP-RESULT>>>"
}

# fa_slow CALLBACK: calls CALLBACK (which prints one progress event) every half second for
# $FAKE_AGENT_SLOW_SEC seconds (default 2)
fa_slow() {
  local n=$(( ${FAKE_AGENT_SLOW_SEC:-2} * 2 )) k
  for k in $(seq 1 "$n"); do "$1" "$k"; sleep 0.5; done
}
