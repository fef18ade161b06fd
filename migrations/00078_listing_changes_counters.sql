-- +goose Up
-- The copy of the listing in each process (app/query/mirror.go) also holds
-- every contribution's counts, which the cards of a list show without
-- reading contribution_counters: a change of any of them is a change to
-- read, as a change of supports was.
DROP TRIGGER counters_supports_changed ON contribution_counters;
CREATE TRIGGER counters_changed AFTER UPDATE ON contribution_counters
    FOR EACH ROW WHEN ((OLD.supports, OLD.reactions_soutient, OLD.reactions_complete, OLD.reactions_nuance, OLD.reactions_conteste,
                        OLD.arguments_pour, OLD.arguments_contre, OLD.arguments_neutre) IS DISTINCT FROM
                       (NEW.supports, NEW.reactions_soutient, NEW.reactions_complete, NEW.reactions_nuance, NEW.reactions_conteste,
                        NEW.arguments_pour, NEW.arguments_contre, NEW.arguments_neutre))
    EXECUTE FUNCTION listing_changed();
