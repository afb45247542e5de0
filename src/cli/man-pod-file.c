/* SPDX-License-Identifier: Apache-2.0 */
/* rkt.pod(5), written by `rkt man-pages` beside the command pages: its lists of keys come from the option
 * tables the pod file parser reads (pod-file.h), so the manual names exactly the keys that are accepted. */
#include <stdio.h>

#include "log.h"
#include "man-pages.h"
#include "pod-file.h"
#include "pod-name.h"

static void print_keys(FILE *f, const Option *table) {
        for (const Option *o = table; o && o->name; o++) {
                _cleanup_free_ char *key = NULL;

                /* As the parser: no deprecated option, no --help; the pod's name is its file's. */
                if (o->deprecated || streq(o->name, "help") ||
                    (table == pod_file_rkt_options.pod && streq(o->name, "name")))
                        continue;
                key = pod_file_key(o->name);
                if (!key)
                        continue;
                fputs(".TP\n\\fB", f);
                man_roff(f, key);
                fputs("=\\fR", f);
                if (table == pod_file_rkt_options.app && streq(o->name, "exec")) {
                        fputs("\\fICOMMAND\\fR [\\fIARGS\\fR...]\n"
                              "\\fB\\-\\-exec\\fR and the arguments after \\fB\\-\\-\\fR: the command\n"
                              "to run instead of the image's, and its arguments, quoted as in unit files.\n",
                              f);
                        continue;
                }
                if (o->arg == OPTION_BOOL)
                        fputs("\\fIyes\\fR|\\fIno\\fR", f);
                else {
                        fputs("\\fI", f);
                        man_roff(f, o->metavar ? o->metavar : "VALUE");
                        fputs("\\fR", f);
                }
                fputs("\n\\fB\\-\\-", f);
                man_roff(f, o->name);
                fputs("\\fR: ", f);
                man_roff(f, o->help);
                fputs(".\n", f);
        }
}

static const char description[] =
        ".SH DESCRIPTION\n"
        "A pod file describes a pod that systemd runs as a service. \\fBrkt\\-pod\\-generator\\fR, a\n"
        "\\fBsystemd.generator\\fR(7), turns each file \\fINAME\\fR.pod into the unit\n"
        "\\fINAME\\fR.service at boot and at each \\fBsystemctl daemon\\-reload\\fR, so that\n"
        ".PP\n"
        ".nf\n"
        "systemctl daemon\\-reload\n"
        "systemctl start \\fINAME\\fR\n"
        "systemctl stop \\fINAME\\fR\n"
        ".fi\n"
        ".PP\n"
        "run and stop the pod. The pod is named \\fINAME\\fR (\\fBrkt run\n"
        "\\-\\-name\\fR=\\fINAME\\fR): the rkt commands that take a pod UUID take \\fINAME\\fR too\n"
        "(\\fBrkt status\\fR \\fINAME\\fR), and the pod is registered with systemd\\-machined as the\n"
        "machine \\fINAME\\fR itself, so that \\fBmachinectl shell\\fR \\fINAME\\fR and\n"
        "\\fBjournalctl \\-M\\fR \\fINAME\\fR find it. \\fINAME\\fR is 1 to 64 letters, digits, '_',\n"
        "\\&'.' and '\\-', starting with a letter or digit, not ending in '.' or '\\-', and not a UUID.\n"
        ".PP\n"
        "Pod files are read from /etc/rkt/pods, /run/rkt/pods and /usr/lib/rkt/pods. Of files with\n"
        "the same name, the one in the first of these directories is used; a file in /etc/rkt/pods\n"
        "that is empty or a symlink to /dev/null masks the others (no unit is made).\n"
        ".PP\n"
        "The syntax is that of \\fBsystemd.unit\\fR(5): sections in brackets,\n"
        "\\fIKey\\fR=\\fIvalue\\fR lines, comments starting with '#' or ';', a backslash at the end\n"
        "of a line continuing it. The keys of [Pod] and [App] are the long options of\n"
        "\\fBrkt\\-run\\fR(1), each dash\\-separated word capitalised (\\fB\\-\\-set\\-env\\fR is\n"
        "\\fBSetEnv=\\fR, \\fB\\-\\-stage1\\-name\\fR is \\fBStage1Name=\\fR), with the values those\n"
        "options take. A key may be repeated where the option may; for an option that takes one\n"
        "value, the last one counts, as on the command line. A boolean is \\fIyes\\fR or \\fIno\\fR\n"
        "(also true, false, on, off, 1, 0). Values are taken as they are: no specifier (%n) or\n"
        "variable ($X) is expanded in [Pod] and [App].\n";

static const char sections[] =
        ".SH SECTIONS\n"
        ".TP\n"
        "[Pod] Options of the pod as a whole: the options of \\fBrkt run\\fR that come before the\n"
        "images, and its global options. Optional; at most one is useful.\n"
        ".TP\n"
        "[App] One app of the pod, in the order of the sections; at least one (unless\n"
        "\\fBPodManifest=\\fR). \\fBImage=\\fR (required) is the image, as \\fBrkt run\\fR takes it.\n"
        "\\fBExec=\\fR is the command and its arguments, quoted as in unit files (\"...\" and '...',\n"
        "a backslash escaping the next character): the command replaces the image's, the arguments\n"
        "follow it. The other keys are the options that follow an image on \\fBrkt run\\fR.\n"
        ".TP\n"
        "[Unit], [Service], [Install] Copied into the unit as they are, after what the generator\n"
        "writes (so that, for example, \\fBTimeoutStartSec=\\fR or \\fBRestart=\\fR in [Service]\n"
        "apply). \\fBExecStart=\\fR is refused: the pod is the service's command. [Install] is\n"
        "honoured by the generator itself: \\fBWantedBy=\\fR, \\fBRequiredBy=\\fR, \\fBUpheldBy=\\fR\n"
        "and \\fBAlias=\\fR become the symlinks \\fBsystemctl enable\\fR would make (which refuses\n"
        "generated units), so \\fBWantedBy=multi\\-user.target\\fR starts the pod at boot.\n";

static const char unit[] =
        ".SH THE UNIT\n"
        "\\fINAME\\fR.service has \\fBType=notify\\fR (started when the pod's systemd is up),\n"
        "\\fBKillMode=mixed\\fR (\\fBsystemctl stop\\fR sends SIGTERM to rkt, which stops the apps in\n"
        "order), \\fBSlice=machine.slice\\fR, \\fBDelegate=yes\\fR, \\fBWants=\\fR and\n"
        "\\fBAfter=network\\-online.target\\fR, \\fBExecStart=\\fR rkt [global options] run\n"
        "\\-\\-name=\\fINAME\\fR [pod options] \\fIIMAGE\\fR [app options] [\\-\\- \\fIARGS\\fR\n"
        "\\-\\-\\-]..., with the rkt that generated it, and \\fBExecStopPost=\\fR rkt gc\n"
        "\\-\\-mark\\-only, which makes the exited pod garbage so that the name is free for the next\n"
        "start. Each unit is written to a temporary file and renamed into place.\n"
        ".PP\n"
        "A file that cannot be converted still gives \\fINAME\\fR.service: a unit whose description\n"
        "is the error (file, line and key) and which fails when started, printing the error into its\n"
        "log; the generator logs the error too (\\fBjournalctl \\-t rkt\\-pod\\-generator\\fR).\n"
        "\\fBrkt pod\\-file verify\\fR \\fIFILE\\fR checks a file with the same parser, and also\n"
        "checks the values as \\fBrkt run\\fR will.\n";

static const char example[] =
        ".SH EXAMPLE\n"
        "/etc/rkt/pods/web.pod:\n"
        ".PP\n"
        ".nf\n"
        "[Pod]\n"
        "Net=default\n"
        "Port=http:8080\n"
        "\n"
        "[App]\n"
        "Image=example.com/nginx:1.22\n"
        "Exec=/usr/sbin/nginx \\-g \"daemon off;\"\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi\\-user.target\n"
        ".fi\n"
        ".PP\n"
        "\\fBsystemctl daemon\\-reload; systemctl start web\\fR runs it; \\fBrkt status web\\fR,\n"
        "\\fBmachinectl status web\\fR and \\fBjournalctl \\-M web\\fR show it.\n";

int man_page_pod_file(const char *dir) {
        _cleanup_free_ char *path = NULL;
        FILE *f;
        int r;

        if (asprintf(&path, "%s/rkt.pod.5", dir) < 0)
                return log_oom();
        f = fopen(path, "we");
        if (!f)
                return log_error_errno(-errno, "Failed to create '%s': %m", path);
        fprintf(f, ".\\\" Generated by 'rkt man-pages' from rkt's option tables: do not edit.\n");
        fprintf(f, ".TH RKT.POD 5 \"\" \"rkt %s\" \"rkt Manual\"\n", PACKAGE_VERSION);
        fputs(".SH NAME\nrkt.pod \\- pod files: pods that systemd runs\n.SH SYNOPSIS\n.nf\n"
              "/etc/rkt/pods/\\fINAME\\fR.pod\n/run/rkt/pods/\\fINAME\\fR.pod\n/usr/lib/rkt/pods/"
              "\\fINAME\\fR.pod\n.fi\n",
              f);
        fputs(description, f);
        fputs(sections, f);
        fputs(".SH [Pod] KEYS\n", f);
        print_keys(f, pod_file_rkt_options.pod);
        print_keys(f, pod_file_rkt_options.globals);
        fputs(".SH [App] KEYS\n.TP\n\\fBImage=\\fR\\fIIMAGE\\fR\nThe app's image (required).\n", f);
        print_keys(f, pod_file_rkt_options.app);
        fputs(unit, f);
        fputs(example, f);
        fputs(".SH SEE ALSO\n\\fBrkt\\-run\\fR(1), \\fBrkt\\-pod\\-file\\-verify\\fR(1), "
              "\\fBsystemd.unit\\fR(5),\n"
              "\\fBsystemd.service\\fR(5), \\fBsystemd.generator\\fR(7), \\fBmachinectl\\fR(1)\n",
              f);
        r = fflush(f) != 0 || ferror(f) ? -EIO : 0;
        fclose(f);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", path);
        printf("rkt.pod.5\n");
        return 0;
}
