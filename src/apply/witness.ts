// Verification without a re-dump. A socket that joined the rtnetlink groups
// before the state was read sees every change the kernel makes afterwards.
// Route, rule and neighbor changes are announced with the port id of the
// socket that asked for them, so when every announcement came from our own
// requests (and none was lost), the kernel holds exactly the state read plus
// the changes it acknowledged: a full read-back could only confirm that.
// A socket filter has the kernel drop our own announcements before they are
// queued, so a million-route run costs the witness nothing per route.
// Anything else — another writer, a kernel flush, an address event, a link
// going down, an overflow — sends apply back to reading the whole state.
import { EventSource } from '../kernel/events.js';
import { dropFromPorts } from '../netlink/filter.js';
import { RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE, RTM_NEWRULE } from '../netlink/constants.js';
import type { Message } from '../netlink/message.js';
import { linkMessageIndex, linkMessageUp } from '../netlink/rtnl/link.js';
import type { Change, Plan } from '../plan/types.js';

/** Change types whose announcements name the requesting socket. */
const ATTRIBUTED = new Set([RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWRULE, RTM_DELRULE, RTM_NEWNEIGH, RTM_DELNEIGH]);

/** Room for the announcements of the chunks between two drains, and then some. */
const WITNESS_RCVBUF = 64 * 1024 * 1024;

export class ChangeWitness {
  private readonly events: EventSource;
  private others = 0;
  /** ifindex -> admin state of links the plan only re-marks (alias), whose announcements are expected. */
  private quietLinks = new Map<number, boolean>();

  /** `ports`: the port ids of every socket our requests go out on. */
  constructor(nsPath: string | undefined, private readonly ports: readonly number[], rcvbuf = WITNESS_RCVBUF) {
    this.events = new EventSource(nsPath, rcvbuf, {
      onMessage: (m) => {
        if (!this.expected(m)) this.others++;
      },
      onBurst: () => undefined,
      onOverflow: () => this.others++,
    });
    // Without the filter the same decision is made here, per announcement.
    this.events.filter(dropFromPorts(ports));
  }

  /**
   * Say what the run will do. Returns false when its effects are not fully
   * announced: links and addresses change what the kernel removes by itself
   * (IPv4 routes go without a word), so such a plan needs a full read. A link
   * update of only its alias (netrec's marker) removes nothing; its
   * announcement (which carries no port id) is expected while it stays as up
   * as it was. Since another writer could change the same link meanwhile,
   * apply then reads the links (not the routes) again.
   */
  expect(p: Plan): boolean {
    for (const stage of p.stages) {
      for (const c of stage) {
        if (c.type === 'route' || c.type === 'rule' || c.type === 'neighbor') continue;
        if (!aliasOnly(c) || c.before?.ifindex === undefined) return false;
        this.quietLinks.set(c.before.ifindex, c.before.state === 'up');
      }
    }
    return true;
  }

  private expected(m: Message): boolean {
    if (ATTRIBUTED.has(m.type)) return this.ports.includes(m.pid);
    if (m.type !== RTM_NEWLINK) return false;
    const index = linkMessageIndex(m);
    const up = index === undefined ? undefined : this.quietLinks.get(index);
    return up !== undefined && linkMessageUp(m) === up;
  }

  /** True when the plan re-marks links: apply then reads the links (only) to be sure they are as declared. */
  get touchesLinks(): boolean {
    return this.quietLinks.size > 0;
  }

  /** Read what is waiting. Cheap; call it between batches so the queue never fills. */
  drain(): void {
    this.events.drain();
  }

  /** True when everything announced since the subscription came from our own requests. */
  onlyOurs(): boolean {
    this.drain();
    return this.others === 0;
  }

  close(): void {
    this.events.close();
  }
}

function aliasOnly(c: Change): c is Change & { type: 'interface' } {
  return c.type === 'interface' && c.action === 'update' && (c.attrs ?? []).every((a) => a.attr === 'alias');
}
