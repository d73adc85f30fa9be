import type { Severity } from '../config/runbook.schema.ts';
import type { IssueComment } from '../github/port.ts';
import type { Ledger } from '../notify/ledger.ts';
import type { RecordedComment } from '../records/read.ts';
import type { FactRecord } from '../records/fact.ts';
import type { SlaAssessment } from './sla.ts';
import type { Incident } from './state.ts';

/** The incident as one read of its issue shows it: state, targets, and what the action recorded. */
export interface IncidentSnapshot {
  issueNumber: number;
  issueTitle: string;
  incident: Incident;
  board: IssueComment | undefined;
  /** What the board's record says stakeholders were told. */
  notified: Ledger | undefined;
  severityKey: string | undefined;
  severity: Severity | undefined;
  sla: SlaAssessment | undefined;
  /** The action's valid records, oldest first. */
  records: RecordedComment[];
  /** The action's comments whose records fail their seal: shown on the board, never trusted. */
  tampered: IssueComment[];
  /** What of them can still be trusted: board facts whose own seal holds (records/board-seal.ts). */
  recovered: { comment: IssueComment; facts: FactRecord[] }[];
  /** false when records are trusted by author alone (no record-secret and no SSH key). */
  sealed: boolean;
}
