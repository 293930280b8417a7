/* The public header is self-contained. */
#include "vmcheck/vmcheck.h"

int main(void) { return VMCHECK_OK; }
