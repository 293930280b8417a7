/* Scoring: a pure function of the analysis (tracks and events) and the
 * rubric in the config; fills a report.  Reporting only formats it. */
#ifndef VMCHECK_SCORE_H
#define VMCHECK_SCORE_H

#include "analysis.h"
#include "vmcheck/vmcheck.h"

/* Fill rep (zeroed by the caller) from an.  0 or VMCHECK_ENOMEM; on failure
 * rep may hold partial allocations: free it with vmc_report_release(). */
int vmc_score(VmcheckReport *rep, const VmcAnalysis *an, const VmcheckConfig *cfg);
void vmc_report_release(VmcheckReport *rep);

#endif
