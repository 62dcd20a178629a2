#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netrec contributors
# Apache License 2.0 (see the LICENSE of the netrec project)
"""Ansible module: make a host's network match its netrec config."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: netrec
short_description: Make a host's network match its netrec config
version_added: "0.1.0"
description:
  - Runs C(netrec apply) on the target host (or in one of its network
    namespaces) and reports what changed.
  - In check mode it runs C(netrec plan -o json) instead and changes
    nothing; the task reports C(changed) when the plan has changes.
  - In diff mode the task shows every planned change as before/after
    (from the plan's C(before) and C(after) objects), and returns the
    output of C(netrec plan -o diff) as C(plan_diff).
  - C(changed) is true only when something was applied (C(apply -o json)
    says C(applied)); a second run of the same config reports C(ok).
  - With I(confirm_timeout) and I(probes), netrec keeps the change only
    when the probes pass within the timeout and otherwise puts the previous
    state back; the task then fails, which stops an Ansible wave
    (C(serial) with C(max_fail_percentage=0)).
  - netrec never talks to other hosts; Ansible does the rollout.
options:
  config:
    description:
      - Config files or directories (a fleet directory with I(host)), as
        given to C(netrec apply).
    type: list
    elements: path
    required: true
  host:
    description:
      - Which host of a fleet directory (C(--host)); netrec's default is
        the machine's hostname.
    type: str
  netns:
    description:
      - Network namespace to configure (C(--netns)), either a name under
        C(/run/netns) or a path such as C(/proc/PID/ns/net).
    type: str
  confirm_timeout:
    description:
      - Keep the change only when it is confirmed within this duration
        (C(--confirm-timeout), e.g. C(30s)); with I(probes), passing
        probes confirm it. Without probes, the task waits for
        C(netrec confirm) from elsewhere, or rolls back at the timeout.
    type: str
  probes:
    description:
      - Health probes that must pass after the change (C(--probe), each
        C(ping:ADDRESS) or C(tcp:HOST:PORT)); needs I(confirm_timeout).
        Only probes that passed before the change count.
    type: list
    elements: str
  state_dir:
    description:
      - Where netrec keeps pending confirmations and history
        (C(--state-dir)); netrec's default is C(/var/lib/netrec).
    type: path
  insecure_config:
    description:
      - Accept config files that users other than root could have written
        (C(--insecure-config)).
    type: bool
    default: false
  executable:
    description:
      - The netrec program, by name (looked up in C(PATH)) or path.
    type: str
    default: netrec
  extra_args:
    description:
      - Further arguments for C(netrec apply), after the ones above.
    type: list
    elements: str
    default: []
requirements:
  - netrec on the target host, run as root (or with CAP_NET_ADMIN).
notes:
  - Supports check mode and diff mode.
author:
  - netrec contributors
'''

EXAMPLES = r'''
- name: Apply the host's view of the fleet
  netrec.netrec.netrec:
    config: /etc/netrec/fleet
    host: "{{ inventory_hostname }}"

- name: Apply, keeping the change only if the gateway still answers
  netrec.netrec.netrec:
    config: [/etc/netrec/site.yaml]
    confirm_timeout: 30s
    probes: ["ping:192.0.2.1", "tcp:198.51.100.10:443"]

- name: What would change (with --check --diff)
  netrec.netrec.netrec:
    config: /etc/netrec/site.yaml
    netns: edge1
  check_mode: true
'''

RETURN = r'''
plan:
  description: The plan, as C(netrec plan -o json) prints it (changes with before/after and source, summary).
  returned: always, unless netrec failed before planning
  type: dict
summary:
  description: Number of creates, updates, replaces and deletes planned.
  returned: when a plan was made
  type: dict
  sample: {"create": 2, "update": 0, "replace": 0, "delete": 0}
result:
  description: C(applied), C(no-changes), C(rolled-back) or C(failed) (C(apply -o json)); C(planned) in check mode.
  returned: when a plan was made
  type: str
messages:
  description: Mutating netlink messages sent (rollback included).
  returned: when applied
  type: int
plan_diff:
  description: Output of C(netrec plan -o diff) (diff mode only).
  returned: in diff mode
  type: str
cmd:
  description: The netrec command that ran last.
  returned: always
  type: list
stderr:
  description: What netrec said on stderr.
  returned: always
  type: str
ansible_facts:
  description: C(netrec_plan), the same as I(plan).
  returned: when a plan was made
  type: dict
'''

import json

from ansible.module_utils.basic import AnsibleModule

try:
    import yaml
except ImportError:  # PyYAML comes with Ansible, but the target may lack it
    yaml = None


def common_args(p):
    """Arguments that plan and apply share."""
    args = list(p['config'])
    if p.get('host'):
        args += ['--host', p['host']]
    if p.get('netns'):
        args += ['--netns', p['netns']]
    return args


def parse_json(text):
    """The JSON document netrec printed, or None."""
    text = (text or '').strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def one_line(rc, stderr):
    """netrec's own message: its 'netrec: ...' lines, joined into one."""
    lines = [l.strip() for l in (stderr or '').splitlines() if l.strip()]
    said = [l[len('netrec: '):] if l.startswith('netrec: ') else l for l in lines if l.startswith('netrec')]
    if not said and lines:
        said = [lines[-1]]
    if not said:
        return 'netrec exited %s without a message' % rc
    return 'netrec: ' + '; '.join(s.rstrip('.') for s in said)


def render_side(plan, side):
    """One side of the diff: each planned change's object as it is (before) or will be (after)."""
    out = []
    for c in plan.get('changes') or []:
        obj = c.get(side)
        head = '%s %s' % (c.get('type'), c.get('id'))
        if obj is None:
            continue
        out.append('%s:' % head)
        if yaml is not None:
            text = yaml.safe_dump(obj, default_flow_style=False, sort_keys=True)
        else:
            text = json.dumps(obj, indent=2, sort_keys=True)
        for line in text.splitlines():
            out.append('  ' + line)
    return '\n'.join(out) + ('\n' if out else '')


def has_changes(plan):
    s = (plan or {}).get('summary') or {}
    return any(int(s.get(k, 0) or 0) > 0 for k in ('create', 'update', 'replace', 'delete'))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type='list', elements='path', required=True),
            host=dict(type='str'),
            netns=dict(type='str'),
            confirm_timeout=dict(type='str'),
            probes=dict(type='list', elements='str'),
            state_dir=dict(type='path'),
            insecure_config=dict(type='bool', default=False),
            executable=dict(type='str', default='netrec'),
            extra_args=dict(type='list', elements='str', default=[]),
        ),
        required_by=dict(probes='confirm_timeout'),
        supports_check_mode=True,
    )
    p = module.params
    exe = p['executable']
    if '/' not in exe:
        exe = module.get_bin_path(exe, required=True)
    env = {'NO_COLOR': '1'}
    result = dict(changed=False, cmd=[], stderr='')

    if module._diff:
        cmd = [exe, 'plan'] + common_args(p) + ['-o', 'diff']
        rc, out, err = module.run_command(cmd, environ_update=env)
        result.update(cmd=cmd, stderr=err)
        if rc != 0:
            module.fail_json(msg=one_line(rc, err), rc=rc, **result)
        result['plan_diff'] = out

    if module.check_mode:
        cmd = [exe, 'plan'] + common_args(p) + ['-o', 'json']
    else:
        cmd = [exe, 'apply'] + common_args(p) + ['-o', 'json']
        if p.get('confirm_timeout'):
            cmd += ['--confirm-timeout', p['confirm_timeout']]
        for probe in p.get('probes') or []:
            cmd += ['--probe', probe]
        if p.get('state_dir'):
            cmd += ['--state-dir', p['state_dir']]
        if p['insecure_config']:
            cmd.append('--insecure-config')
        cmd += p['extra_args']
    rc, out, err = module.run_command(cmd, environ_update=env)
    result.update(cmd=cmd, stderr=err)
    doc = parse_json(out)

    if doc is not None:
        plan = dict((k, doc[k]) for k in ('changes', 'summary') if k in doc)
        result['plan'] = plan
        result['summary'] = plan.get('summary')
        result['ansible_facts'] = dict(netrec_plan=plan)
        if module._diff:
            result['diff'] = dict(
                before_header='%s (current)' % (p.get('netns') or p.get('host') or 'host'),
                after_header='%s (desired)' % (p.get('netns') or p.get('host') or 'host'),
                before=render_side(plan, 'before'),
                after=render_side(plan, 'after'),
            )
        if module.check_mode:
            result['result'] = 'planned'
            result['changed'] = has_changes(plan)
        else:
            result['result'] = doc.get('result')
            result['messages'] = doc.get('messages')
            if 'errors' in doc:
                result['errors'] = doc['errors']
            # Changed means the kernel now holds something it did not: an
            # apply that was rolled back changed nothing that stayed.
            result['changed'] = doc.get('result') == 'applied' or (doc.get('result') == 'failed' and (doc.get('messages') or 0) > 0)

    if rc != 0:
        module.fail_json(msg=one_line(rc, err), rc=rc, **result)
    if doc is None:
        module.fail_json(msg='netrec printed no JSON plan (%s)' % ' '.join(cmd), rc=rc, stdout=out, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
