/*
 * doctor-python.h - what the python check group (doctor-python.c) shares
 * with the code that sets Python up, and its test knobs.
 *
 * The environment marker.  Every conda environment gpu-setup creates holds
 * <prefix>/envs/<name>/gpu-setup-env.json, a JSON object:
 *
 *   {"framework": "pytorch", "version": "2.7.1", "cuda": "12.8"}
 *
 *   framework  "pytorch" or "tensorflow" (the compat table's name)
 *   version    the framework release installed, as the compat table has it
 *   cuda       the CUDA release the framework build is for ("12.8")
 *
 * Other members may follow and are ignored.  doctor finds environments by
 * this file: it reports what the file says, and with --deep imports the
 * framework in the environment and compares.
 */
#ifndef GS_DOCTOR_PYTHON_H
#define GS_DOCTOR_PYTHON_H

#define GS_ENV_MARKER "gpu-setup-env.json"

/* For the unit tests only: when above 0, the bound on --deep's framework
 * import instead of DOCTOR_DEEP_TIMEOUT_MS (a test cannot wait two
 * minutes for a stand-in python that hangs). */
extern long doctor_python_test_deep_timeout_ms;

#endif
