//! One protected call, decided: the mandate it names (or the one approved in its session) is
//! [`authorize`](humanos::HumanosClient::authorize)d, and a call without a usable mandate asks
//! the user (see [`crate::approval`]).

use humanos::Action;
use humanos::enforce::Ruling;
use rmcp::model::{CallToolResult, ProtocolVersion};
use rmcp::service::{ElicitationError, ElicitationMode};
use rmcp::{Peer, RoleServer};

use crate::MandateGate;
use crate::answer;
use crate::approval::{Pending, RequestState, Session};
use crate::gate::Authorized;

/// Run the tool with this, or answer that.
#[derive(Debug)]
pub(crate) enum Outcome {
    Proceed(Authorized),
    Answer(CallToolResult),
}

/// What `authorize` said, sorted for the gate.
enum Checked {
    Allowed(Authorized),
    /// Revoked or expired (the reason): the user may approve a new one.
    Lapsed(CallToolResult, String),
    Answer(CallToolResult),
}

/// The connection the call came on: to elicit, and to know what the client can do.
pub(crate) struct Caller<'a> {
    pub(crate) peer: &'a Peer<RoleServer>,
    pub(crate) protocol: Option<ProtocolVersion>,
    pub(crate) session: &'a Session,
}

impl Caller<'_> {
    /// URL elicitation is possible: the client declared it, and the revision has
    /// server-to-client requests (2026-07-28 forbids them).
    fn can_elicit_url(&self) -> bool {
        let before_2026 = self
            .protocol
            .as_ref()
            .is_none_or(|v| v.as_str() < ProtocolVersion::V_2026_07_28.as_str());
        before_2026
            && self
                .peer
                .supported_elicitation_modes()
                .contains(&ElicitationMode::Url)
    }
}

impl MandateGate {
    /// Decides one call of a protected tool.
    pub(crate) async fn decide(
        &self,
        caller: &Caller<'_>,
        carried: Option<String>,
        action: Action,
    ) -> Outcome {
        let mandate = carried.or_else(|| caller.session.granted(&action.id));
        let Some(mandate) = mandate else {
            return self.ask(caller, action, None).await;
        };
        match self.check(&mandate, action.clone()).await {
            Checked::Allowed(a) => Outcome::Proceed(a),
            Checked::Answer(answer) => Outcome::Answer(answer),
            Checked::Lapsed(answer, _) if self.request.is_none() => Outcome::Answer(answer),
            Checked::Lapsed(_, reason) => {
                caller.session.revoke(&action.id);
                self.ask(caller, action, Some(reason)).await
            }
        }
    }

    /// `authorize`, with this gate's options, sorted.
    async fn check(&self, mandate_id: &str, action: Action) -> Checked {
        let ruling = self
            .policy
            .rule(&self.client, mandate_id, action.clone())
            .await;
        let (grant, decided_by) = match ruling {
            Ruling::Granted { grant, decided_by } => (grant, decided_by),
            Ruling::Denied(deny) if lapsed(&deny.reason) => {
                return Checked::Lapsed(answer::denied(&deny), deny.reason);
            }
            Ruling::Denied(deny) => return Checked::Answer(answer::denied(&deny)),
            Ruling::Undecided => return Checked::Answer(answer::undecided()),
            Ruling::Refused { message } => {
                return Checked::Answer(answer::refused(message.as_deref()));
            }
            _ => return Checked::Answer(answer::refused(None)),
        };
        Checked::Allowed(Authorized {
            mandate_id: mandate_id.to_owned(),
            action,
            grant,
            decided_by,
        })
    }

    /// No usable mandate (none named, or the one named lapsed for `reason`): find the one the
    /// user approved in this session, or ask for one.
    async fn ask(&self, caller: &Caller<'_>, action: Action, reason: Option<String>) -> Outcome {
        let why = Why(reason);
        if self.request.is_none() {
            return Outcome::Answer(answer::mandate_required());
        }
        // Looked up and created in turn: a second call waits for the first's request and shows
        // the same one. The turn ends before the user is shown the link (which can take minutes).
        let turn = caller.session.asking_turn(&action.id).await;
        if let Some(pending) = caller.session.pending(&action.id) {
            match self.state(&pending).await {
                Ok(RequestState::Approved(mandate)) => {
                    drop(turn);
                    return self.approved(caller, &mandate, action).await;
                }
                Ok(RequestState::Waiting) => {
                    drop(turn);
                    return self.show(caller, pending, action, &why).await;
                }
                Ok(RequestState::Closed) => caller.session.forget(&action.id),
                Err(answer) => return Outcome::Answer(answer),
            }
        }
        let pending = match self.create_request(&action).await {
            Ok(pending) => pending,
            Err(answer) => return Outcome::Answer(answer),
        };
        caller.session.wait_for(&action.id, pending.clone());
        drop(turn);
        self.show(caller, pending, action, &why).await
    }

    /// The user approved `mandate` in this session: remember it and authorize the call with it.
    async fn approved(&self, caller: &Caller<'_>, mandate: &str, action: Action) -> Outcome {
        caller.session.grant(&action.id, mandate);
        match self.check(mandate, action).await {
            Checked::Allowed(a) => Outcome::Proceed(a),
            Checked::Answer(answer) | Checked::Lapsed(answer, _) => Outcome::Answer(answer),
        }
    }

    /// Shows the user where to approve: URL elicitation (then, on accept, the call goes on at
    /// once when the mandate is active), or the link in a tool error.
    async fn show(
        &self,
        caller: &Caller<'_>,
        pending: Pending,
        action: Action,
        why: &Why,
    ) -> Outcome {
        let Some(link) = pending.link.as_deref().filter(|_| caller.can_elicit_url()) else {
            return Outcome::Answer(answer::approval_needed(&pending, why));
        };
        let Ok(url) = link.parse::<url::Url>() else {
            return Outcome::Answer(answer::approval_needed(&pending, why));
        };
        let message = format!(
            "{} Approve the mandate request to let the agent go on.",
            why.text()
        );
        let elicited = caller
            .peer
            .elicit_url_with_timeout(
                message,
                url,
                &pending.request_id,
                Some(self.elicitation_timeout),
            )
            .await;
        match elicited {
            Ok(rmcp::model::ElicitationAction::Accept) => match self.state(&pending).await {
                Ok(RequestState::Approved(mandate)) => {
                    self.approved(caller, &mandate, action).await
                }
                Ok(_) => Outcome::Answer(answer::approval_needed(&pending, why)),
                Err(answer) => Outcome::Answer(answer),
            },
            Ok(_) | Err(ElicitationError::UserDeclined | ElicitationError::UserCancelled) => {
                Outcome::Answer(answer::declined(&pending))
            }
            Err(error) => {
                tracing::warn!(%error, "URL elicitation failed; answering with the link");
                Outcome::Answer(answer::approval_needed(&pending, why))
            }
        }
    }

    /// Polls the request of `pending`.
    async fn state(&self, pending: &Pending) -> Result<RequestState, CallToolResult> {
        match self.client.requests().detail(&pending.request_id).await {
            Ok(detail) => Ok(RequestState::of(&detail, pending)),
            Err(error) => {
                tracing::warn!(%error, request_id = %pending.request_id, "could not read the mandate request");
                Err(answer::undecided())
            }
        }
    }

    /// `POST /request` for `action`.
    async fn create_request(&self, action: &Action) -> Result<Pending, CallToolResult> {
        let Some(build) = &self.request else {
            return Err(answer::mandate_required());
        };
        match self.client.requests().create(build(action)).await {
            Ok(created) => Ok(Pending {
                request_id: created.id,
                mandate_ids: created.credentials.into_iter().map(|c| c.id).collect(),
                link: created.subjects.into_iter().find_map(|s| s.link),
            }),
            Err(error) => {
                tracing::warn!(%error, action = %action.id, "could not create the mandate request");
                Err(answer::error(
                    503,
                    "Service Unavailable",
                    "a mandate request could not be created now; try again later",
                ))
            }
        }
    }
}

/// Why the gate asks the user: no mandate, or the denial reason of the one named.
pub(crate) struct Why(pub(crate) Option<String>);

impl Why {
    /// One sentence for the model and the user.
    pub(crate) fn text(&self) -> String {
        match &self.0 {
            None => "This tool needs the user's mandate.".to_owned(),
            Some(reason) => format!("The mandate was denied ({reason})."),
        }
    }
}

/// Denial reasons after which the user may approve a new mandate.
fn lapsed(reason: &str) -> bool {
    matches!(reason, "credential_revoked" | "expired")
}
