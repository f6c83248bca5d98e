/**
 * Every key in the table, in one place. Prefixes are short and upper-case; ids never contain '#'
 * (the id schema forbids it), so '#' safely separates key parts. See docs/table-design.md.
 */
export const keys = {
  township: (id: string) => ({ PK: `TSHP#${id}`, SK: 'A' }),
  townshipList: () => 'TSHPS',
  village: (id: string) => ({ PK: `VILL#${id}`, SK: 'A' }),
  villageList: () => 'VILLS',
  cadre: (id: string) => ({ PK: `CADR#${id}`, SK: 'A' }),
  cadreList: () => 'CADRS',

  /** Units (单位): by id; all on GSI1 `UNITS` by `<kind>#<id>`. */
  unit: (id: string) => ({ PK: `UNIT#${id}`, SK: 'A' }),
  unitList: () => 'UNITS',
  /**
   * County leaders over townships (包镇): by id; a township's history (GSI1), a cadre's (GSI2), the
   * running and ended ones by township (GSI3); one running period per leader and township (slot).
   */
  townshipLeader: (id: string) => ({ PK: `TLDR#${id}`, SK: 'A' }),
  townshipLeaders: (townshipId: string) => `TSHP#${townshipId}#LDR`,
  cadreLeaderships: (cadreId: string) => `CADR#${cadreId}#LDR`,
  activeTownshipLeaders: () => 'TLDRS#ACTIVE',
  endedTownshipLeaders: () => 'TLDRS#ENDED',
  townshipLeaderSlot: (townshipId: string, cadreId: string) => ({
    PK: `TSHP#${townshipId}`,
    SK: `LDR#${cadreId}`,
  }),
  /** Districts (片区): by id; all on GSI1 `DISTS` by `<townshipId>#<id>`; a village's district slot. */
  district: (id: string) => ({ PK: `DIST#${id}`, SK: 'A' }),
  districtList: () => 'DISTS',
  villageDistrictSlot: (villageId: string) => ({ PK: `VILL#${villageId}`, SK: 'DIST' }),

  assignment: (id: string) => ({ PK: `ASGN#${id}`, SK: 'A' }),
  villageAssignments: (villageId: string) => `VILL#${villageId}#ASGN`,
  cadreAssignments: (cadreId: string) => `CADR#${cadreId}#ASGN`,
  activeAssignments: (role: string) => `ASGNS#ACTIVE#${role}`,
  /** Where an assignment's GSI3 entry moves when it ends, so township-wide history lists need no Scan. */
  endedAssignments: (role: string) => `ASGNS#ENDED#${role}`,
  /** One cadre's active assignment to one village: at most one item, so no duplicate (conditional put). */
  assignmentSlot: (villageId: string, cadreId: string) => ({
    PK: `VILL#${villageId}`,
    SK: `ASGN#${cadreId}`,
  }),
  /** The village's chief slot: at most one item, so at most one chief (conditional put). */
  chiefSlot: (villageId: string) => ({ PK: `VILL#${villageId}`, SK: 'CHIEF' }),

  /**
   * A chief assignment still waiting for its appointment letter (任命书): written before the assignment
   * itself, removed by the daily sweep once the letter exists, so that partition stays small.
   */
  pendingAppointmentLetter: (assignmentId: string) => ({ PK: 'APPT#PENDING', SK: `ASGN#${assignmentId}` }),
  pendingAppointmentLetters: () => 'APPT#PENDING',

  counter: (series: string, year: number) => ({ PK: `CNTR#${series}#${year}`, SK: 'A' }),

  /** The county's team roles (第一书记, 驻村工作队员…): one small settings item, read by id. */
  teamRoles: () => ({ PK: 'SETTING#TEAMROLES', SK: 'A' }),

  dispatch: (id: string) => ({ PK: `DISP#${id}`, SK: 'A' }),
  dispatchList: () => 'DISPS',
  dispatchAssignee: (id: string, cadreId: string, villageId: string) => ({
    PK: `DISP#${id}`,
    SK: `ASSG#${cadreId}#${villageId}`,
  }),
  dispatchAssigneePrefix: () => 'ASSG#',
  dispatchReport: (id: string, at: string, reportId: string) => ({
    PK: `DISP#${id}`,
    SK: `RPT#${at}#${reportId}`,
  }),
  dispatchReportPrefix: () => 'RPT#',
  cadreDispatches: (cadreId: string) => `CADR#${cadreId}#DISP`,
  /** Dispatches a chief issued to their team (GSI2 of the dispatch meta item, by createdAt). */
  issuedDispatches: (cadreId: string) => `CADR#${cadreId}#ISSUED`,
  villageDispatches: (villageId: string) => `VILL#${villageId}#DISP`,
  openDispatchAssignees: () => 'OPEN#DISP',

  inspection: (id: string) => ({ PK: `INSP#${id}`, SK: 'A' }),
  inspectionList: () => 'INSPS',
  villageInspections: (villageId: string) => `VILL#${villageId}#INSP`,
  townshipInspections: (townshipId: string) => `TSHP#${townshipId}#INSP`,
  finding: (inspectionId: string, cadreId: string) => ({ PK: `INSP#${inspectionId}`, SK: `FIND#${cadreId}` }),
  findingPrefix: () => 'FIND#',
  cadreFindings: (cadreId: string) => `CADR#${cadreId}#FIND`,

  problem: (id: string) => ({ PK: `PROB#${id}`, SK: 'A' }),
  problemEvent: (id: string, at: string, eventId: string) => ({
    PK: `PROB#${id}`,
    SK: `EVT#${at}#${eventId}`,
  }),
  problemEventPrefix: () => 'EVT#',
  cadreProblems: (cadreId: string) => `CADR#${cadreId}#PROB`,
  villageProblems: (villageId: string) => `VILL#${villageId}#PROB`,
  problemsByStatus: (status: string) => `PROBS#${status}`,

  directReport: (id: string) => ({ PK: `DRPT#${id}`, SK: 'A' }),
  directReportList: () => 'DRPTS',
  cadreDirectReports: (cadreId: string) => `CADR#${cadreId}#DRPT`,
  villageDirectReports: (villageId: string) => `VILL#${villageId}#DRPT`,
  /** HQ's acknowledgement of a direct report, as its own dated fact (GSI4 by the week it happened). */
  directReportAck: (id: string, at: string) => ({ PK: `DRPT#${id}`, SK: `ACK#${at}` }),
  directReportWeekSort: (createdAt: string, id: string) => `DIRECT#${createdAt}#${id}`,
  directReportAckWeekSort: (at: string, id: string) => `DIRECTACK#${at}#${id}`,
  /** A direct report's closure (办结), as its own dated fact (GSI4 by week: resolution times). */
  directReportClose: (id: string) => ({ PK: `DRPT#${id}`, SK: 'CLOSE' }),
  directReportCloseWeekSort: (at: string, id: string) => `DIRECTCLOSE#${at}#${id}`,
  /**
   * A hand-off (转办) of a direct report to a unit, as an index item under the report: one unit's
   * hand-offs (GSI1), and while it waits for its reply the open ones by deadline (GSI2).
   */
  directReportHandoff: (id: string, handoffId: string) => ({ PK: `DRPT#${id}`, SK: `HOFF#${handoffId}` }),
  unitHandoffs: (unitId: string) => `UNIT#${unitId}#HOFF`,
  openHandoffs: () => 'HOFFS#OPEN',

  /**
   * Visits to the village (驻村记录): the item lives in its village's partition, by time, so a
   * village's visits are a base-table query; all (GSI1), one cadre's (GSI2), one township's (GSI3),
   * each by time; the ISO week of the visit (GSI4) for the weekly evaluation.
   */
  visit: (villageId: string, at: string, id: string) => ({
    PK: `VILL#${villageId}#VISIT`,
    SK: `${at}#${id}`,
  }),
  villageVisits: (villageId: string) => `VILL#${villageId}#VISIT`,
  visitList: () => 'VISITS',
  cadreVisits: (cadreId: string) => `CADR#${cadreId}#VISIT`,
  townshipVisits: (townshipId: string) => `TSHP#${townshipId}#VISIT`,
  visitSort: (at: string, id: string) => `${at}#${id}`,
  visitWeekSort: (at: string, id: string) => `VISIT#${at}#${id}`,

  /**
   * Self-criticism meetings (检讨发言会): the meeting by id; all by date (GSI1); the evaluated week's
   * (GSI3). One link item per attendee under the meeting, a copy of it, listed per cadre (GSI2).
   */
  selfCriticismMeeting: (id: string) => ({ PK: `SCMT#${id}`, SK: 'A' }),
  selfCriticismAttendee: (id: string, cadreId: string) => ({ PK: `SCMT#${id}`, SK: `CADR#${cadreId}` }),
  selfCriticismMeetingList: () => 'SCMTS',
  weekSelfCriticismMeetings: (week: string) => `SCMTS#WEEK#${week}`,
  cadreSelfCriticismMeetings: (cadreId: string) => `CADR#${cadreId}#SCMT`,
  /** Training sessions (干部营养餐): by id; all by date (GSI1); the roster rows under the session, per cadre (GSI2). */
  training: (id: string) => ({ PK: `TRNG#${id}`, SK: 'A' }),
  trainingAttendance: (id: string, cadreId: string) => ({ PK: `TRNG#${id}`, SK: `ATND#${cadreId}` }),
  trainingAttendancePrefix: () => 'ATND#',
  trainingList: () => 'TRNGS',
  cadreTrainings: (cadreId: string) => `CADR#${cadreId}#TRNG`,
  /** Date-first sort key of meetings and sessions, so lists and ranges go by date. */
  datedSort: (date: string, id: string) => `${date}#${id}`,

  /** Major failures (重大失误): all (GSI1), per village (GSI3), the week (GSI4); per cadre via link items (GSI2). */
  majorFailure: (id: string) => ({ PK: `MFAIL#${id}`, SK: 'A' }),
  majorFailureCadreLink: (id: string, cadreId: string) => ({ PK: `MFAIL#${id}`, SK: `CADR#${cadreId}` }),
  majorFailureList: () => 'MFAILS',
  cadreMajorFailures: (cadreId: string) => `CADR#${cadreId}#MFAIL`,
  villageMajorFailures: (villageId: string) => `VILL#${villageId}#MFAIL`,
  majorFailureWeekSort: (date: string, id: string) => `MAJOR#${date}#${id}`,

  /** Rendered documents (周通报, notices, 任命书): by id; all (GSI1), per cadre (GSI2), per week (GSI3). */
  notice: (id: string) => ({ PK: `NOTC#${id}`, SK: 'A' }),
  noticeList: () => 'NOTCS',
  cadreNotices: (cadreId: string) => `CADR#${cadreId}#NOTC`,
  weekNotices: (week: string) => `NOTCS#WEEK#${week}`,

  /**
   * Talk records (提醒谈话 / 诫勉谈话, docs/talks.md): by id; all by week (GSI1), per cadre (GSI2), per
   * township (GSI3) and per status (GSI4), each sorted by `<week>#<cadre>` so a week is a prefix.
   */
  talk: (id: string) => ({ PK: `TALK#${id}`, SK: 'A' }),
  talkList: () => 'TALKS',
  cadreTalks: (cadreId: string) => `CADR#${cadreId}#TALK`,
  townshipTalks: (townshipId: string) => `TSHP#${townshipId}#TALK`,
  talksByStatus: (status: string) => `TALKS#STATUS#${status}`,
  talkSort: (week: string, cadreId: string) => `${week}#${cadreId}`,
  /** County settings for talks (approval needed, days to hold a talk): one item. */
  talkSettings: () => ({ PK: 'SETTINGS#talks', SK: 'A' }),
  /** Who signs the documents (GET/PUT /settings/issuer): one versioned item. */
  issuerSettings: () => ({ PK: 'SETTINGS#issuer', SK: 'A' }),

  /** Everything that happened in an ISO week, for the weekly evaluation (GSI4). */
  week: (week: string) => `WEEK#${week}`,

  audit: (entityType: string, entityId: string, at: string, seq: string) => ({
    PK: `AUDT#${entityType}#${entityId}`,
    SK: `${at}#${seq}`,
  }),
  auditEntity: (entityType: string, entityId: string) => `AUDT#${entityType}#${entityId}`,
  auditActor: (sub: string) => `AUDT#ACTOR#${sub}`,

  idempotency: (sub: string, key: string) => ({ PK: `IDEM#${sub}#${key}`, SK: 'A' }),

  /**
   * A photo upload, and once claimed the photo record itself (owner, purpose, the record holding it,
   * capture time and GPS): read by id only. Unclaimed ones expire by TTL (`expiresAt`) on AWS.
   */
  upload: (id: string) => ({ PK: `UPLD#${id}`, SK: 'A' }),

  /**
   * County-mode accounts (local runtime only; Cognito keeps them on AWS): one item per user name, all
   * listed on GSI1 (`ACCTS`, by user name); a county has at most a few thousand.
   */
  account: (username: string) => ({ PK: `ACCT#${username}`, SK: 'A' }),
  accountList: () => 'ACCTS',
  /** Failed sign-ins per user name and per client address, for the lockout (kept across restarts). */
  signInThrottle: (kind: 'USER' | 'ADDR', id: string) => ({ PK: `SIGNIN#${kind}#${id}`, SK: 'A' }),

  /** Delivery ledger: one item per (message, recipient), claimed before sending so each email goes once. */
  mailDelivery: (messageKey: string, recipientHash: string) => ({
    PK: `MAIL#${messageKey}`,
    SK: `TO#${recipientHash}`,
  }),
  /** Bulletin recipients, listed on GSI1 by scope (`COUNTY#<id>` or `TSHP#<township>#<id>`). */
  recipient: (id: string) => ({ PK: `RCPT#${id}`, SK: 'A' }),
  recipientList: () => 'RCPTS',
  /** A cadre's notifications (their page), newest first: ids sort by time. */
  cadreNotification: (cadreId: string, id: string) => ({ PK: `CADR#${cadreId}#NTFY`, SK: `N#${id}` }),
  cadreNotifications: (cadreId: string) => `CADR#${cadreId}#NTFY`,
  /**
   * News told at once (a new problem, a rejection, a dispatch, an emergency report): the event by its
   * key, kept; and while its emails and texts are not all out, a marker in one small partition that
   * the daily sweep reads (a Query) to retry what failed.
   */
  news: (eventKey: string) => ({ PK: `NEWS#${eventKey}`, SK: 'A' }),
  pendingNews: (eventKey: string) => ({ PK: 'NEWS#PENDING', SK: `EVT#${eventKey}` }),
  pendingNewsList: () => 'NEWS#PENDING',
  /** Background tasks (imports, exports): by id; all, newest first (GSI1); one person's (GSI2). */
  task: (id: string) => ({ PK: `TASK#${id}`, SK: 'A' }),
  taskList: () => 'TASKS',
  creatorTasks: (sub: string) => `TASKS#BY#${sub}`,
  /** Job runs by job and run key (scheduled time, or start time of a manual run), newest last. */
  jobRun: (job: string, runKey: string) => ({ PK: `JOB#${job}`, SK: `RUN#${runKey}` }),
  jobRuns: (job: string) => `JOB#${job}`,

  /** Rule-set versions, all in one small partition (an admin publishes a few a year). */
  ruleSet: (version: number) => ({ PK: 'RULESET', SK: `V#${String(version).padStart(6, '0')}` }),
  ruleSetPartition: () => 'RULESET',
  ruleSetPrefix: () => 'V#',
  /** Assessment schemes (考核办法): versions in one small partition, like the rule sets. */
  assessmentScheme: (version: number) => ({
    PK: 'ASSESSSCHEME',
    SK: `V#${String(version).padStart(6, '0')}`,
  }),
  assessmentSchemePartition: () => 'ASSESSSCHEME',
  /** HQ-entered village results of an assessment period (成效考核, 满意度): one partition per period. */
  assessmentVillageResults: (period: string, villageId: string) => ({
    PK: `ASSESS#${period}`,
    SK: `VRES#${villageId}`,
  }),
  assessmentPeriod: (period: string) => `ASSESS#${period}`,
  assessmentVillageResultsPrefix: () => 'VRES#',
  /** A week's evaluation: head items `A` (final) and `P` (provisional), and gzip chunks under them. */
  evaluation: (week: string) => ({ PK: `EVAL#${week}`, SK: 'A' }),
  provisionalEvaluation: (week: string) => ({ PK: `EVAL#${week}`, SK: 'P' }),
  evaluationPart: (week: string, blob: string, part: number) => ({
    PK: `EVAL#${week}`,
    SK: `${blob}#${String(part).padStart(4, '0')}`,
  }),
  /** Final evaluations newest first (GSI1, SK = the ISO week, which sorts in time order). */
  evaluationList: () => 'EVALS',
  /**
   * One cadre's result in one finished week (tier, circle, reasons), copied from each final revision
   * so the cadre's standing reads one small item; the latest week is the last `EVAL#` key.
   */
  cadreEvaluation: (cadreId: string, week: string) => ({ PK: `CADR#${cadreId}`, SK: `EVAL#${week}` }),
  cadreEvaluationPrefix: () => 'EVAL#',

  /** The county's resource kinds (抗旱物资…, seed 000): one small settings item, read by id. */
  resourceKinds: () => ({ PK: 'SETTING#RESOURCEKINDS', SK: 'A' }),
  /**
   * Allocation proposals (资源协调建议) and HQ's decision: by id; all (GSI1), the proposer's (GSI2), a
   * village's (GSI3), a township's (GSI4), each sorted `<period>#<id>` so a period is a prefix.
   */
  allocation: (id: string) => ({ PK: `ALLOC#${id}`, SK: 'A' }),
  allocationList: () => 'ALLOCS',
  cadreAllocations: (cadreId: string) => `CADR#${cadreId}#ALLOC`,
  villageAllocations: (villageId: string) => `VILL#${villageId}#ALLOC`,
  townshipAllocations: (townshipId: string) => `TSHP#${townshipId}#ALLOC`,
  /**
   * Sanctions on a village's quota (约束): by id; all by proposal time (GSI1), by status (GSI2) and per
   * village (GSI3), both sorted `<from>#<id>`; once approved, a copy under the ISO week of the approval
   * (the weekly bulletin's list).
   */
  sanction: (id: string) => ({ PK: `SANC#${id}`, SK: 'A' }),
  sanctionList: () => 'SANCS',
  sanctionsByStatus: (status: string) => `SANCS#STATUS#${status}`,
  villageSanctions: (villageId: string) => `VILL#${villageId}#SANC`,
  approvedSanctionOfWeek: (week: string, approvedAt: string, id: string) => ({
    PK: `SANCS#WEEK#${week}`,
    SK: `${approvedAt}#${id}`,
  }),
  approvedSanctionsOfWeek: (week: string) => `SANCS#WEEK#${week}`,
  /** An inspector's verification of a violation report (核实), beside the report, written once. */
  violationVerification: (directReportId: string) => ({ PK: `DRPT#${directReportId}`, SK: 'VERIFY' }),
} as const;
