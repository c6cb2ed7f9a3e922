-- Contract notifications (issue 13, "the kinds later issues add"): the other side is told when
-- contract terms are proposed, confirmed (the connection is signed) or disputed.
INSERT INTO notification_kinds (name) VALUES ('contract_updated');
