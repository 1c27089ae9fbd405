-- One part of the bucket lists, in order.
SELECT nodes, fresh FROM an_lists WHERE coalesce(part, 0) = ? ORDER BY k, fresh
