/** The GitHub deliveries in `test/fixtures/producers/github/` that make a card, with the card each makes (see `test/fixtures/README.md`). */

/** Each sample as `[X-GitHub-Event, fixture name, card template]`. */
export const GITHUB_CARD_SAMPLES = [
    ['pull_request', 'pull-request-opened', 'pull-request'],
    ['pull_request', 'pull-request-review-requested', 'pull-request'],
    ['pull_request', 'pull-request-merged', 'pull-request'],
    ['workflow_run', 'workflow-run-completed-failure', 'build'],
    ['workflow_run', 'workflow-run-completed-success', 'build'],
    ['workflow_job', 'workflow-job-completed-failure', 'build'],
    ['deployment_status', 'deployment-status-success', 'deployment'],
    ['release', 'release-published', 'message'],
] as const;
